import { describe, expect, it } from "@effect/vitest"
import { JobSpec, ResourceRequests } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

type Form = "ts" | "wire"
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
/** Write `input` (camelCase keys) the way `form` spells it. */
const inForm = (form: Form, input: Record<string, unknown>) =>
  form === "ts" ? input : Object.fromEntries(Object.entries(input).map(([k, v]) => [snake(k), v]))

describe.each(["ts", "wire"] as const)("JobSpec.decode (%s form)", (form: Form) => {
  const name = (key: string) => (form === "ts" ? key : snake(key))

  it("accepts every field", () => {
    const input = {
      jobName: "DB.SC.NIGHTLY",
      functionName: "predict",
      numWorkers: 4,
      maxBatchRows: 16384,
      maxBatchBytes: 67108864,
      warehouse: "WH",
      cpuRequests: "2",
      memoryRequests: "8GiB",
      gpuRequests: "1",
      replicas: 8,
      block: true,
      imageRepo: "DB.SC.REPO",
      forceRebuild: true,
      onError: "record"
    }
    expect(ok(JobSpec.decode(inForm(form, input), form))).toStrictEqual(input)
  })

  const accepted: ReadonlyArray<readonly [Record<string, unknown>, Record<string, unknown>]> = [
    [{}, {}],
    [{ jobNamePrefix: "custom_prefix" }, { jobNamePrefix: "custom_prefix" }],
    [{ jobName: "my_job" }, { jobName: "my_job" }],
    [{ jobName: '"my job"' }, { jobName: '"my job"' }],
    [{ memoryRequests: "8Gi" }, { memoryRequests: "8Gi" }],
    [{ memoryRequests: "512MiB" }, { memoryRequests: "512MiB" }],
    [{ memoryRequests: "2G" }, { memoryRequests: "2G" }],
    [{ cpuRequests: "500m" }, { cpuRequests: "500m" }],
    [{ cpuRequests: "0.5" }, { cpuRequests: "0.5" }],
    [{ cpuRequests: "2" }, { cpuRequests: "2" }],
    [{ cpuRequests: 2 }, { cpuRequests: "2" }],
    [{ cpuRequests: 0.5 }, { cpuRequests: "0.5" }],
    [{ gpuRequests: 1 }, { gpuRequests: "1" }],
    [{ gpuRequests: " 4 " }, { gpuRequests: "4" }],
    [
      { numWorkers: 1, maxBatchRows: 1, replicas: 1 },
      { numWorkers: 1, maxBatchRows: 1, replicas: 1 }
    ],
    [{ onError: "fail" }, { onError: "fail" }],
    [
      { block: false, forceRebuild: false },
      { block: false, forceRebuild: false }
    ]
  ]
  it.each(accepted)("accepts %j", (input, expected) => {
    expect(ok(JobSpec.decode(inForm(form, input), form))).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [Record<string, unknown>, string, string]> = [
    [
      { jobName: "a", jobNamePrefix: "b" },
      "jobName",
      "job_name and job_name_prefix are mutually exclusive. Please specify only one or neither."
    ],
    [{ numWorkers: 0 }, "numWorkers", "num_workers must be a whole number of at least 1, got 0"],
    [{ numWorkers: -1 }, "numWorkers", "got -1"],
    [{ numWorkers: 1.5 }, "numWorkers", "got 1.5"],
    [{ maxBatchRows: 0 }, "maxBatchRows", "max_batch_rows must be a whole number of at least 1, got 0"],
    [{ maxBatchRows: -1 }, "maxBatchRows", "got -1"],
    [{ maxBatchRows: 1.5 }, "maxBatchRows", "got 1.5"],
    [
      { maxBatchBytes: 0 },
      "maxBatchBytes",
      "max_batch_bytes must be a whole number of at least 1, got 0. Leave it out to use the default."
    ],
    [{ maxBatchBytes: 1.5 }, "maxBatchBytes", "got 1.5"],
    [{ maxBatchBytes: "64MiB" }, "maxBatchBytes", "Expected number"],
    [{ replicas: 0 }, "replicas", "replicas must be a whole number of at least 1, got 0"],
    [{ replicas: -1 }, "replicas", "got -1"],
    [{ replicas: 1.5 }, "replicas", "got 1.5"],
    [{ replicas: "2" }, "replicas", "Expected number"],
    [{ memoryRequests: "8" }, "memoryRequests", '"8" is not a memory quantity; give a number with a unit'],
    [{ memoryRequests: "0Gi" }, "memoryRequests", "is not a memory quantity"],
    [{ memoryRequests: "lots" }, "memoryRequests", "is not a memory quantity"],
    [{ cpuRequests: "0" }, "cpuRequests", "is not a CPU quantity"],
    [{ cpuRequests: "-1" }, "cpuRequests", "is not a CPU quantity"],
    [{ cpuRequests: "two" }, "cpuRequests", "is not a CPU quantity"],
    [{ gpuRequests: "0" }, "gpuRequests", 'Invalid gpu_requests: "0"'],
    [{ gpuRequests: "x" }, "gpuRequests", 'Invalid gpu_requests: "x"'],
    [{ gpuRequests: 1.5 }, "gpuRequests", 'Invalid gpu_requests: "1.5"'],
    [{ jobName: "a.b.c.d" }, "jobName", "at most three parts"],
    [{ jobName: "my-job" }, "jobName", "an unquoted identifier starts with a letter"],
    [{ jobNamePrefix: "db.prefix" }, "jobNamePrefix", "an unquoted identifier"],
    [{ warehouse: "my wh" }, "warehouse", "an unquoted identifier"],
    [{ functionName: "" }, "functionName", "Expected a value with a length of at least 1"],
    [{ onError: "skip" }, "onError", 'Expected "fail" | "record"'],
    [{ block: "yes" }, "block", "Expected boolean"]
  ]
  it.each(rejected)("rejects %j", (input, field, fragment) => {
    const e = failsWith(JobSpec.decode(inForm(form, input), form), "InvalidSpec", fragment)
    expect(e.spec).toBe("JobSpec")
    expect(e.problems.map((p) => p.path)).toStrictEqual([name(field)])
  })

  it("reports every problem at once", () => {
    const e = failsWith(
      JobSpec.decode(inForm(form, { numWorkers: 0, maxBatchRows: 1.5, replicas: -1 }), form),
      "InvalidSpec"
    )
    expect(e.problems.map((p) => p.path)).toStrictEqual([
      name("numWorkers"),
      name("maxBatchRows"),
      name("replicas")
    ])
  })

  const typos: ReadonlyArray<readonly [string, string]> = [
    ["numWorker", "numWorkers"],
    ["replica", "replicas"],
    ["gpuRequest", "gpuRequests"],
    ["jobNamePrefx", "jobNamePrefix"]
  ]
  it.each(typos)("an unknown field %s suggests %s in this form's spelling", (typo, right) => {
    failsWith(
      JobSpec.decode({ [name(typo)]: 1 }, form),
      "InvalidSpec",
      `${name(typo)}: unknown field. Did you mean '${name(right)}'`
    )
  })
})

describe("JobSpec helpers", () => {
  it("replicasOf and onErrorOf give the defaults", () => {
    expect(JobSpec.replicasOf({})).toBe(1)
    expect(JobSpec.replicasOf({ replicas: 3 })).toBe(3)
    expect(JobSpec.onErrorOf({})).toBe("fail")
    expect(JobSpec.onErrorOf({ onError: "record" })).toBe("record")
  })

  it("a snake_case field in the ts form points at the camelCase name", () => {
    failsWith(
      JobSpec.decode({ num_workers: 2 }),
      "InvalidSpec",
      "num_workers: unknown field. Did you mean 'numWorkers'"
    )
  })
})

describe("ResourceRequests", () => {
  const cpu: ReadonlyArray<readonly [string, number | undefined]> = [
    ["2", 2],
    ["0.5", 0.5],
    ["500m", 0.5],
    [" 4 ", 4],
    ["0", undefined],
    ["0m", undefined],
    ["1.5.2", undefined],
    ["2 cores", undefined]
  ]
  it.each(cpu)("parseCpu(%j) is %s", (text, expected) => {
    expect(ResourceRequests.parseCpu(text)).toBe(expected)
  })

  const memory: ReadonlyArray<readonly [string, number | undefined]> = [
    ["8Gi", 8 * 1024 ** 3],
    ["8GiB", 8 * 1024 ** 3],
    ["512MiB", 512 * 1024 ** 2],
    ["512Mi", 512 * 1024 ** 2],
    ["2G", 2e9],
    ["1.5Ti", 1.5 * 1024 ** 4],
    ["16 Gi", 16 * 1024 ** 3],
    ["8", undefined],
    ["8Xi", undefined],
    ["0Mi", undefined]
  ]
  it.each(memory)("parseMemory(%j) is %s", (text, expected) => {
    expect(ResourceRequests.parseMemory(text)).toBe(expected)
  })

  const gpu: ReadonlyArray<readonly [string, number | undefined]> = [
    ["1", 1],
    ["8", 8],
    ["0", undefined],
    ["1.5", undefined],
    ["x", undefined],
    ["-1", undefined]
  ]
  it.each(gpu)("parseGpu(%j) is %s", (text, expected) => {
    expect(ResourceRequests.parseGpu(text)).toBe(expected)
  })
})
