// Golden tests for what the SPCS launcher sends: the job service's specification YAML and the
// EXECUTE JOB SERVICE statement with its binds — exact text, hostile values quoted or refused.
import { InvalidSpec, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { executeJobService } from "../src/spcs/ExecuteJobService.ts"
import * as JobServiceSpec from "../src/spcs/JobServiceSpec.ts"

const stage = (text: string) =>
  Effect.runSync(StageLocation.parse(text, { database: "ML", schema: "PUBLIC" }))

const input: JobServiceSpecInput = {
  image: "/ml/public/runbatch/runbatch-runtime:0.1.0",
  command: ["node", "/opt/runbatch/replica.js"],
  env: {
    RUNBATCH_PLAN: "/stages/0/scores/_runbatch/ML.PUBLIC.SCORE/plan.json",
    RUNBATCH_STAGE_ROOT: "/stages"
  },
  resources: { cpu: "2", memory: "8Gi", gpu: "1" },
  stages: [
    { stage: stage("@ML.PUBLIC.OUT/"), mountPath: "/stages/0" },
    { stage: stage('@ML.PUBLIC."my images"/'), mountPath: "/stages/1" }
  ],
  user: { uid: 1000, gid: 1000 },
  secrets: [{ secret: "ML.PUBLIC.OPENAI_KEY", envVarName: "OPENAI_KEY" }]
}
type JobServiceSpecInput = JobServiceSpec.JobServiceSpecInput

const yamlOf = (spec: JobServiceSpecInput) =>
  Effect.runSync(Effect.map(JobServiceSpec.make(spec), JobServiceSpec.toYaml))

const problemsOf = (effect: Effect.Effect<unknown, InvalidSpec>) => {
  const error = Effect.runSync(Effect.flip(effect))
  expect(error).toBeInstanceOf(InvalidSpec)
  return error.problems.map((p) => `${p.path}: ${p.message}`)
}

describe("the job service specification", () => {
  it("has one runtime container with requests = limits, /dev/shm, stage volumes, secrets and metrics", () => {
    expect(yamlOf(input)).toBe(`spec:
  containers:
    - name: runtime
      image: /ml/public/runbatch/runbatch-runtime:0.1.0
      command:
        - node
        - /opt/runbatch/replica.js
      env:
        RUNBATCH_PLAN: /stages/0/scores/_runbatch/ML.PUBLIC.SCORE/plan.json
        RUNBATCH_STAGE_ROOT: /stages
      resources:
        requests:
          cpu: 2000m
          memory: 8Gi
          nvidia.com/gpu: 1
        limits:
          cpu: 2000m
          memory: 8Gi
          nvidia.com/gpu: 1
      volumeMounts:
        - name: dshm
          mountPath: /dev/shm
        - name: stage-0
          mountPath: /stages/0
        - name: stage-1
          mountPath: /stages/1
      secrets:
        - snowflakeSecret:
            objectName: ML.PUBLIC.OPENAI_KEY
          secretKeyRef: secret_string
          envVarName: OPENAI_KEY
  volumes:
    - name: dshm
      source: memory
      size: 2458Mi
    - name: stage-0
      source: stage
      stageConfig:
        name: "@ML.PUBLIC.OUT/"
      uid: 1000
      gid: 1000
    - name: stage-1
      source: stage
      stageConfig:
        name: '@ML.PUBLIC."my images"/'
      uid: 1000
      gid: 1000
  platformMonitor:
    metricConfig:
      groups:
        - system
        - status
`)
  })

  it("leaves out resources and /dev/shm when the job asks for none, and quotes values YAML would misread", () => {
    const text = yamlOf({
      ...input,
      resources: {},
      secrets: [],
      env: { A: "yes", B: "0123", C: "a: b", D: "line\nbreak", E: "", F: "on", N: "2026-01-01" },
      stages: [input.stages[0]!]
    })
    expect(text).not.toContain("resources:")
    expect(text).not.toContain("dshm")
    expect(text).not.toContain("secrets:")
    expect(text).toContain(
      `        A: "yes"\n        B: "0123"\n        C: "a: b"\n        D: |-\n          line\n          break\n        E: ""\n        F: "on"\n        "N": "2026-01-01"\n`
    )
  })

  it("refuses, all at once, what SPCS would refuse or misread", () => {
    expect(
      problemsOf(
        JobServiceSpec.make({
          ...input,
          image: " ",
          env: { "BAD-NAME": "x" },
          resources: { cpu: "two", memory: "8", gpu: "0.5" },
          stages: [
            { stage: stage("@A/"), mountPath: "/stages/../etc" },
            { stage: stage("@B/"), mountPath: "/stages/../etc" }
          ],
          secrets: [{ secret: "a..b", envVarName: "1X" }]
        })
      )
    ).toEqual([
      "image: name the runtime image.",
      "env.BAD-NAME: an environment variable's name is letters, digits and _.",
      'cpu_requests: "two" is not a CPU quantity.',
      'memory_requests: "8" is not a memory quantity.',
      'gpu_requests: "0.5" is not a whole number of GPUs.',
      'stages: the mount path "/stages/../etc" is not a plain absolute path.',
      'stages: the mount path "/stages/../etc" is not a plain absolute path.',
      "stages: two stages mount at /stages/../etc.",
      'secrets: "1X" is not an environment variable\'s name.',
      expect.stringMatching(/^secrets: "a\.\.b" is not a secret's name: /)
    ])
  })

  it("refuses more stages than a service can mount", () => {
    const stages = Array.from({ length: 20 }, (_, i) => ({
      stage: stage(`@S${i}/`),
      mountPath: `/stages/${i}`
    }))
    expect(problemsOf(JobServiceSpec.make({ ...input, stages }))).toEqual([
      "stages: the job reads and writes 20 stages; a service mounts at most 19 (and /dev/shm). Copy the files onto fewer stages."
    ])
  })
})

describe("EXECUTE JOB SERVICE", () => {
  const service = { database: "ML", schema: "PUBLIC", name: "SCORE_FEATURES" }

  it("sends the spec dollar-quoted, names as binds, in the documented clause order", () => {
    const statement = Effect.runSync(
      executeJobService({
        computePool: "CPU_POOL",
        service,
        specYaml: "spec:\n  containers: []\n",
        replicas: 2,
        warehouse: '"Query WH"',
        externalAccessIntegrations: ["openai_access", '"Other EAI"']
      })
    )
    expect(statement.sql).toBe(`EXECUTE JOB SERVICE
IN COMPUTE POOL IDENTIFIER(?)
FROM SPECIFICATION $$
spec:
  containers: []
$$
NAME = IDENTIFIER(?)
ASYNC = TRUE
REPLICAS = ?
QUERY_WAREHOUSE = IDENTIFIER(?)
EXTERNAL_ACCESS_INTEGRATIONS = (OPENAI_ACCESS, "Other EAI")`)
    expect(statement.binds).toEqual(["CPU_POOL", "ML.PUBLIC.SCORE_FEATURES", 2, '"Query WH"'])
  })

  it("refuses $$ in the spec, quoted job names, bad replicas and malformed integrations", () => {
    expect(
      problemsOf(
        executeJobService({
          computePool: "P",
          service: { ...service, name: "score me" },
          specYaml: "env: {A: $$drop$$}",
          replicas: 0,
          externalAccessIntegrations: ['"unclosed']
        })
      )
    ).toEqual([
      'job_name: the name "score me" of the job\'s service must be an unquoted upper-case name (letters, digits, _ and $): Snowpark Container Services cannot show the containers of a service with a quoted name.',
      "specification: it contains $$, which ends the statement's dollar-quoted specification and cannot be escaped; remove $$ from environment values, arguments and names.",
      "replicas: must be a whole number of at least 1, got 0.",
      expect.stringMatching(/^external_access_integrations: "\\"unclosed": /)
    ])
  })
})
