import { describe, expect, it } from "@effect/vitest"
import { type Identifier, JobName, type JobSpec, StageLocation } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

const UUID = "0b8c1e2a-7d3f-4e5a-9b6c-1234567890ab"
const SUFFIX = "0B8C1E2A_7D3F_4E5A_9B6C_1234567890AB"
const MODEL_CONTEXT: Identifier.NameContext = { database: "ML_DB", schema: "MODELS" }

type NameSpec = Pick<JobSpec.JobSpec, "jobName" | "jobNamePrefix">

describe("JobName.resolve", () => {
  const accepted: ReadonlyArray<
    readonly [string, NameSpec, Identifier.NameContext, Identifier.FullyQualifiedName]
  > = [
    [
      "an explicit name",
      { jobName: "nightly" },
      MODEL_CONTEXT,
      { database: "ML_DB", schema: "MODELS", name: "NIGHTLY" }
    ],
    [
      "a quoted name",
      { jobName: '"Nightly Run"' },
      MODEL_CONTEXT,
      { database: "ML_DB", schema: "MODELS", name: "Nightly Run" }
    ],
    ["db.schema.name", { jobName: "db2.s2.job" }, {}, { database: "DB2", schema: "S2", name: "JOB" }],
    ["schema.name", { jobName: "s2.job" }, MODEL_CONTEXT, { database: "ML_DB", schema: "S2", name: "JOB" }],
    [
      "the default BATCH_INFERENCE_<UUID>",
      {},
      MODEL_CONTEXT,
      { database: "ML_DB", schema: "MODELS", name: `BATCH_INFERENCE_${SUFFIX}` }
    ],
    [
      "a prefix, upper-cased as an unquoted identifier",
      { jobNamePrefix: "custom_prefix" },
      MODEL_CONTEXT,
      { database: "ML_DB", schema: "MODELS", name: `CUSTOM_PREFIX_${SUFFIX}` }
    ],
    [
      "a quoted prefix keeps its case",
      { jobNamePrefix: '"Team"' },
      MODEL_CONTEXT,
      { database: "ML_DB", schema: "MODELS", name: `Team_${SUFFIX}` }
    ]
  ]
  it.each(accepted)("%s", (_, spec, context, expected) => {
    expect(ok(JobName.resolve(spec, context, UUID))).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [string, NameSpec, Identifier.NameContext, string]> = [
    ["a name without context", { jobName: "job" }, {}, "no current database"],
    ["a name without a schema", { jobName: "job" }, { database: "D" }, "no current schema"],
    ["a generated name without context", {}, {}, "no current database"],
    ["a prefixed name without a schema", { jobNamePrefix: "p" }, { database: "D" }, "no current schema"],
    ["an invalid prefix", { jobNamePrefix: "bad-prefix" }, MODEL_CONTEXT, "an unquoted identifier"],
    ["an invalid name", { jobName: "a.b.c.d" }, MODEL_CONTEXT, "at most three parts"]
  ]
  it.each(rejected)("rejects %s", (_, spec, context, fragment) => {
    failsWith(JobName.resolve(spec, context, UUID), "InvalidIdentifier", fragment)
  })

  it("generated names are valid unquoted identifiers and differ per UUID", () => {
    const a = ok(JobName.resolve({}, MODEL_CONTEXT, UUID)).name
    const b = ok(JobName.resolve({}, MODEL_CONTEXT, "ffffffff-0000-4000-8000-000000000000")).name
    expect(a).toMatch(/^BATCH_INFERENCE_[0-9A-F_]+$/)
    expect(a).not.toBe(b)
    expect(JobName.uuidSuffix(UUID)).toBe(SUFFIX)
    expect(JobName.DEFAULT_PREFIX).toBe("BATCH_INFERENCE")
  })
})

describe("JobName.outputFolder", () => {
  const base = ok(StageLocation.parse("@ML.PUBLIC.RESULTS/daily/"))

  it.each([
    ["NIGHTLY", "@ML.PUBLIC.RESULTS/daily/NIGHTLY/"],
    ["my job", "@ML.PUBLIC.RESULTS/daily/my job/"],
    ["...", "@ML.PUBLIC.RESULTS/daily/.../"],
    ["a%20b", "@ML.PUBLIC.RESULTS/daily/a%20b/"]
  ])("puts the job %j one folder below the base", (name, expected) => {
    expect(StageLocation.format(ok(JobName.outputFolder(base, name)))).toBe(expected)
  })

  it.each([".", "..", "a/b", "/a", "a/", "a\\b", "a\nb", "%2e%2e", "a%2fb"])(
    "refuses the job name %j, which is not one folder name",
    (name) => {
      failsWith(
        JobName.outputFolder(base, name),
        "InvalidStageLocation",
        `the job name ${JSON.stringify(name)}`
      )
    }
  )
})
