// A job service's specification checked as Snowpark Container Services would: the spec runbatch's
// launcher writes passes on a pool whose nodes hold it; every kind of mistake is refused, all at once.

import { JobServiceSpec } from "@runbatch/spcs-launcher"
import { InstanceFamilies, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { check } from "../src/ServiceSpecCheck.ts"

const small = InstanceFamilies.nodeOf("CPU_X64_S")!
const gpu = InstanceFamilies.nodeOf("GPU_NV_S")!

const launcherSpec = (resources: JobServiceSpec.JobServiceSpecInput["resources"]) =>
  Effect.runSync(
    Effect.map(
      JobServiceSpec.make({
        image: "/ml/public/runbatch/runbatch-runtime:0.1.0",
        command: ["node", "/opt/runbatch/replica.js"],
        env: { RUNBATCH_PLAN: "/stages/0/out/plan.json" },
        ...(resources === undefined ? {} : { resources }),
        stages: [{ stage: Effect.runSync(StageLocation.parse("@ML.PUBLIC.OUT/")), mountPath: "/stages/0" }],
        user: { uid: 1000, gid: 1000 },
        secrets: [{ secret: "ML.PUBLIC.KEY", envVarName: "API_KEY" }]
      }),
      JobServiceSpec.toYaml
    )
  )

const problems = (text: string, node = small) => {
  const result = check(text, node)
  return result.ok ? [] : result.problems
}

describe("a job service's specification", () => {
  it("takes the launcher's spec, with its container, stage volume and secret", () => {
    const result = check(launcherSpec({ cpu: "2", memory: "8Gi" }), small)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.spec.containers).toMatchObject([
      {
        name: "runtime",
        image: "/ml/public/runbatch/runbatch-runtime:0.1.0",
        command: ["node", "/opt/runbatch/replica.js"],
        env: { RUNBATCH_PLAN: "/stages/0/out/plan.json" },
        volumeMounts: [
          { name: "dshm", mountPath: "/dev/shm" },
          { name: "stage-0", mountPath: "/stages/0" }
        ],
        secrets: [{ secret: "ML.PUBLIC.KEY", envVarName: "API_KEY" }],
        requests: { cpus: 2, memoryBytes: 8 * 1024 ** 3 }
      }
    ])
    expect(result.spec.stageVolumes).toEqual([
      { name: "stage-0", stage: "@ML.PUBLIC.OUT/", uid: 1000, gid: 1000 }
    ])
  })

  it("refuses requests no node of the pool offers: 4 CPUs on CPU_X64_S, a GPU on a CPU pool", () => {
    expect(problems(launcherSpec({ cpu: "4", memory: "8Gi", gpu: "1" }))).toEqual([
      "spec.containers[0].resources.requests.cpu: more than a node of the compute pool offers (3 CPU(s)); choose a larger instance family or request less",
      "spec.containers[0].resources.requests.nvidia.com/gpu: more than a node of the compute pool offers (0 GPU(s)); choose a larger instance family or request less"
    ])
    expect(problems(launcherSpec({ cpu: "4", memory: "8Gi", gpu: "1" }), gpu)).toEqual([])
  })

  it("refuses unknown fields, no containers, bad names, mounts of no volume and the v1 stage volume", () => {
    expect(
      problems(`spec:
  containers:
    - name: Runtime_1
      image: ""
      command: node
      env: {ENABLED: true}
      volumeMounts:
        - {name: data, mountPath: relative/path}
      resources:
        requests: {cpu: 2}
        limits: {cpu: 1, disk: 5Gi}
      restartPolicy: Never
  volumes:
    - {name: stage-volume, source: "@ML.PUBLIC.OUT"}
    - {name: shm, source: tmpfs}
  extras: 1
`)
    ).toEqual([
      'spec: unknown field "extras" (allowed: containers, endpoints, volumes, logExporters, platformMonitor, resourceManagement, networkPolicyConfig)',
      'spec.volumes[0].source: stage volumes of the form source: "@ML.PUBLIC.OUT" (v1) are no longer accepted for new jobs; please use v2: source: stage with stageConfig: {name: "@ML.PUBLIC.OUT"}',
      "spec.volumes[1].source: must be one of local, memory, block, stage",
      'spec.containers[0]: unknown field "restartPolicy" (allowed: name, image, command, args, env, readinessProbe, volumeMounts, resources, secrets)',
      'spec.containers[0].name: "Runtime_1" is not a valid name (lower-case letters, digits and -, at most 63)',
      "spec.containers[0].image: required",
      "spec.containers[0].env.ENABLED: must be a string (quote it), got true",
      'spec.containers[0].volumeMounts[0].name: "data" names no volume of spec.volumes',
      "spec.containers[0].volumeMounts[0].mountPath: must be an absolute path",
      'spec.containers[0].resources.limits: unknown field "disk" (allowed: memory, cpu, nvidia.com/gpu)',
      "spec.containers[0].resources: the cpu limit is below its request",
      "spec.containers[0].command: must be a list of strings"
    ])
    expect(problems("spec:\n  containers: []\n")).toEqual([
      "spec.containers: at least one container is required"
    ])
    expect(problems("spec: [unclosed")).toEqual([
      expect.stringMatching(/^the specification is not valid YAML: /)
    ])
    expect(problems("containers: []\n")).toEqual([
      "the specification must be a mapping with a `spec` mapping"
    ])
  })
})
