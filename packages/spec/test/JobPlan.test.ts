import { describe, expect, it } from "@effect/vitest"
import { JobPlan, Signature as S, Sharding } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

type PlanInput = Omit<JobPlan.JobPlan, "fingerprint">

const signature = S.signature(
  [
    S.feature("feature_1", "DOUBLE"),
    S.feature("images", "BYTES"),
    S.feature("embedding", "FLOAT", { shape: [4] })
  ],
  [
    S.feature("output", "DOUBLE", { nullable: false }),
    S.group("labels", [S.feature("label", "STRING"), S.feature("score", "DOUBLE")], { shape: [-1] })
  ],
  [S.param("temperature", "DOUBLE", 0.7), S.paramGroup("config", [S.param("top_k", "INT64", 50)])]
)

const files: ReadonlyArray<Sharding.InputFile> = [
  { path: "data_0_0_0.snappy.parquet", bytes: 1_048_576, rowGroups: [16384, 16384, 1200] },
  { path: "data_0_0_1.snappy.parquet", bytes: 524_288, rowGroups: [9000] }
]

const base: PlanInput = {
  planVersion: JobPlan.PLAN_VERSION,
  runbatchVersion: "0.1.0",
  createdAt: "2026-01-31T12:00:00.000Z",
  job: { database: "ML_DB", schema: "JOBS", name: "BATCH_INFERENCE_0B8C1E2A_7D3F_4E5A_9B6C_1234567890AB" },
  model: { database: "ML_DB", schema: "MODELS", name: "MY_MODEL", version: "V1" },
  function: { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION" },
  signature,
  inputSchema: [
    S.feature("INDEX", "INT64"),
    S.feature("FEATURE_1", "INT32"),
    S.feature("IMAGES", "STRING"),
    S.feature("EMBEDDING", "FLOAT", { shape: [-1] })
  ],
  outputSchema: [
    S.feature("INDEX", "INT64"),
    S.feature("output", "DOUBLE", { nullable: false }),
    S.group("labels", [S.feature("label", "STRING"), S.feature("score", "DOUBLE")], { shape: [-1] })
  ],
  columnMapping: [
    {
      feature: "feature_1",
      column: "FEATURE_1",
      featureType: "DOUBLE",
      columnType: "INT32",
      compatibility: { kind: "widen" }
    },
    {
      feature: "images",
      column: "IMAGES",
      featureType: "BYTES",
      columnType: "BYTES",
      compatibility: { kind: "exact" }
    },
    {
      feature: "embedding",
      column: "EMBEDDING",
      featureType: "FLOAT[4]",
      columnType: "FLOAT[-1]",
      compatibility: { kind: "checked", checks: ["length"] }
    }
  ],
  columnHandling: [
    { column: "IMAGES", inputFormat: "full_stage_path", convertTo: "raw_bytes", encoder: "stage-file" }
  ],
  engine: { id: "onnx", options: { intra_op_threads: 4, providers: ["cpu"] }, engineArgsOverride: [] },
  plugins: [
    {
      kind: "engine",
      id: "onnx",
      packageName: "@runbatch/engine-onnx",
      version: "0.1.0",
      integrity: "sha512-abc",
      specifier: "@runbatch/engine-onnx"
    },
    {
      kind: "encoder",
      id: "stage-file",
      packageName: "@runbatch/encoder-stage-file",
      version: "0.1.0",
      integrity: "sha512-def",
      specifier: "/opt/plugins/encoder-stage-file"
    }
  ],
  params: { temperature: 0.7, config: { top_k: 50 } },
  batch: { maxBatchRows: 1024, maxBatchBytes: 33554432, numWorkers: 4 },
  replicas: 2,
  onError: "fail",
  input: { location: "@ML_DB.JOBS.RUNBATCH_STAGE/jobs/BATCH_INFERENCE_0B8C/_temporary/", files },
  shards: Sharding.enumerate(files, 4),
  output: { location: "@DB.SCHEMA.STAGE/out/", mode: "overwrite" },
  artifacts: [
    {
      name: "model.onnx",
      location: "@ML_DB.MODELS.MODEL_STAGE/MY_MODEL/V1/model.onnx",
      bytes: 123456,
      sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    }
  ]
}

const plan = JobPlan.make(base)

describe("JobPlan wire form", () => {
  it("toJson → parse round-trips to the same plan", () => {
    expect(ok(JobPlan.parse(JobPlan.toJson(plan)))).toStrictEqual(plan)
  })

  it("decode of toWire round-trips too", () => {
    expect(ok(JobPlan.decode(JSON.parse(JSON.stringify(JobPlan.toWire(plan)))))).toStrictEqual(plan)
  })

  it("is snake_case on the wire", () => {
    const wire = JSON.parse(JobPlan.toJson(plan)) as Record<string, unknown>
    for (const key of [
      "plan_version",
      "runbatch_version",
      "created_at",
      "input_schema",
      "output_schema",
      "column_mapping",
      "column_handling",
      "on_error"
    ]) {
      expect(wire).toHaveProperty(key)
    }
    expect(wire).not.toHaveProperty("planVersion")
    expect(wire).not.toHaveProperty("columnMapping")
    const shards = wire["shards"] as ReadonlyArray<Record<string, unknown>>
    expect(Object.keys(shards[0]!).sort()).toStrictEqual([
      "file",
      "index",
      "row_group_end",
      "row_group_start",
      "rows"
    ])
    const mapping = (wire["column_mapping"] as ReadonlyArray<Record<string, unknown>>)[0]!
    expect(Object.keys(mapping).sort()).toStrictEqual([
      "column",
      "column_type",
      "compatibility",
      "feature",
      "feature_type"
    ])
    expect(wire["function"]).toStrictEqual({ name: "PREDICT", target_method: "predict", kind: "FUNCTION" })
    expect(wire["batch"]).toStrictEqual({
      max_batch_rows: 1024,
      max_batch_bytes: 33554432,
      num_workers: 4
    })
    expect(wire["engine"]).toStrictEqual({
      id: "onnx",
      options: { intra_op_threads: 4, providers: ["cpu"] },
      engine_args_override: []
    })
    const inputFile = (wire["input"] as { files: ReadonlyArray<Record<string, unknown>> }).files[0]!
    expect(inputFile).toHaveProperty("row_groups")
    expect((wire["plugins"] as ReadonlyArray<Record<string, unknown>>)[0]).toHaveProperty("package_name")
    // Signatures are in Snowflake's model.yaml form.
    expect((wire["signature"] as { params: ReadonlyArray<unknown> }).params[0]).toStrictEqual({
      default_value: 0.7,
      dtype: "DOUBLE",
      name: "temperature"
    })
    // Params keep the user's keys as they are (they are user data, not plan fields).
    expect(wire["params"]).toStrictEqual({ temperature: 0.7, config: { top_k: 50 } })
  })

  it("a plan without batch settings round-trips", () => {
    const lean = JobPlan.make({ ...base, batch: {} })
    expect(ok(JobPlan.parse(JobPlan.toJson(lean)))).toStrictEqual(lean)
  })
})

describe("JobPlan fingerprint", () => {
  it("is a sha256 and stable for the same plan", () => {
    expect(plan.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(JobPlan.fingerprint(base)).toBe(plan.fingerprint)
    expect(JobPlan.make(structuredClone(base)).fingerprint).toBe(plan.fingerprint)
  })

  it("does not depend on key order", () => {
    const reordered: PlanInput = {
      ...Object.fromEntries(Object.entries(base).reverse()),
      params: { config: { top_k: 50 }, temperature: 0.7 },
      engine: { engineArgsOverride: [], options: { providers: ["cpu"], intra_op_threads: 4 }, id: "onnx" }
    } as unknown as PlanInput
    expect(JobPlan.fingerprint(reordered)).toBe(plan.fingerprint)
    expect(JobPlan.canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(
      '{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}'
    )
  })

  const changes: ReadonlyArray<readonly [string, (p: PlanInput) => PlanInput]> = [
    ["a param", (p) => ({ ...p, params: { ...p.params, temperature: 0.8 } })],
    ["a nested param", (p) => ({ ...p, params: { ...p.params, config: { top_k: 51 } } })],
    ["a plugin version", (p) => ({ ...p, plugins: [{ ...p.plugins[0]!, version: "0.1.1" }, p.plugins[1]!] })],
    [
      "a plugin integrity",
      (p) => ({ ...p, plugins: [p.plugins[0]!, { ...p.plugins[1]!, integrity: "sha512-xyz" }] })
    ],
    [
      "an engine option",
      (p) => ({ ...p, engine: { ...p.engine, options: { ...p.engine.options, intra_op_threads: 8 } } })
    ],
    ["engine args", (p) => ({ ...p, engine: { ...p.engine, engineArgsOverride: ["--max-model-len=4096"] } })],
    ["the engine", (p) => ({ ...p, engine: { ...p.engine, id: "vllm" } })],
    ["the shards", (p) => ({ ...p, shards: Sharding.enumerate(files, 1) })],
    ["the input files", (p) => ({ ...p, input: { ...p.input, files: [files[0]!] } })],
    ["the model version", (p) => ({ ...p, model: { ...p.model, version: "V2" } })],
    ["the function", (p) => ({ ...p, function: { ...p.function, name: "PREDICT_PROBA" } })],
    [
      "the signature",
      (p) => ({ ...p, signature: { ...p.signature, params: [S.param("temperature", "DOUBLE", 0.9)] } })
    ],
    ["the column mapping", (p) => ({ ...p, columnMapping: p.columnMapping.slice(1) })],
    [
      "the column handling",
      (p) => ({ ...p, columnHandling: [{ ...p.columnHandling[0]!, convertTo: "base64" }] })
    ],
    ["the error mode", (p) => ({ ...p, onError: "record" })],
    ["the output location", (p) => ({ ...p, output: { ...p.output, location: "@DB.SCHEMA.STAGE/out2/" } })],
    ["an artifact", (p) => ({ ...p, artifacts: [{ ...p.artifacts[0]!, sha256: "0".repeat(64) }] })]
  ]
  it.each(changes)("changes when %s changes", (_, change) => {
    expect(JobPlan.fingerprint(change(base))).not.toBe(plan.fingerprint)
  })

  const same: ReadonlyArray<readonly [string, (p: PlanInput) => PlanInput]> = [
    ["the job name", (p) => ({ ...p, job: { ...p.job, name: "NIGHTLY" } })],
    ["createdAt", (p) => ({ ...p, createdAt: "2027-01-01T00:00:00.000Z" })],
    ["replicas", (p) => ({ ...p, replicas: 8 })],
    ["max batch rows", (p) => ({ ...p, batch: { ...p.batch, maxBatchRows: 16384 } })],
    // Batches cut by bytes hold the same rows in the same order: the results do not change.
    ["max batch bytes", (p) => ({ ...p, batch: { ...p.batch, maxBatchBytes: 1024 } })],
    ["num workers", (p) => ({ ...p, batch: { numWorkers: 1 } })],
    ["no batch settings", (p) => ({ ...p, batch: {} })],
    ["the runbatch version", (p) => ({ ...p, runbatchVersion: "0.2.0" })],
    // Where a plugin was found does not change results; its version and integrity do.
    [
      "a plugin's specifier",
      (p) => ({ ...p, plugins: [p.plugins[0]!, { ...p.plugins[1]!, specifier: "/elsewhere/stage-file" }] })
    ],
    // A registry's function record carries more than the plan keeps; plan.json holds what is hashed.
    [
      "extra properties of in-memory objects",
      (p) => ({ ...p, function: { ...p.function, partitioned: false } })
    ]
  ]
  it.each(same)("does not change when %s changes", (_, change) => {
    expect(JobPlan.fingerprint(change(base))).toBe(plan.fingerprint)
  })
})

/** An edit of the wire JSON that sets (or, with undefined, deletes) the value at `path`. */
const setAt =
  (path: ReadonlyArray<string | number>, value: unknown) =>
  (wire: Record<string, unknown>): void => {
    let parent = wire as Record<string | number, unknown>
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
    const last = path[path.length - 1]!
    if (value === undefined) delete parent[last]
    else parent[last] = value
  }

describe("JobPlan.parse rejections", () => {
  const tamper = (edit: (wire: Record<string, unknown>) => void): string => {
    const wire = JSON.parse(JobPlan.toJson(plan)) as Record<string, unknown>
    edit(wire)
    return JSON.stringify(wire)
  }

  const tampered: ReadonlyArray<readonly [string, (wire: Record<string, unknown>) => void]> = [
    ["params edited after writing", setAt(["params", "temperature"], 1.5)],
    [
      "a shard dropped",
      (w) => {
        ;(w["shards"] as Array<unknown>).pop()
      }
    ],
    ["the output moved", setAt(["output", "location"], "@DB.SCHEMA.STAGE/elsewhere/")],
    ["the fingerprint replaced", setAt(["fingerprint"], `sha256:${"0".repeat(64)}`)]
  ]
  it.each(tampered)("refuses a plan with %s", (_, edit) => {
    const e = failsWith(
      JobPlan.parse(tamper(edit), "@DB.S.ST/jobs/J/plan.json"),
      "InvalidJobPlan",
      "Invalid job plan @DB.S.ST/jobs/J/plan.json",
      "fingerprint",
      "the file was edited or damaged"
    )
    expect(e.problems[0]?.path).toBe("fingerprint")
  })

  it("editing a field outside the fingerprint keeps the plan valid", () => {
    const parsed = ok(JobPlan.parse(tamper(setAt(["replicas"], 4))))
    expect(parsed.replicas).toBe(4)
  })

  const malformed: ReadonlyArray<readonly [string, string, string]> = [
    ["not JSON", "{ plan_version: 1", "not JSON"],
    ["an empty file", "", "not JSON"],
    ["a JSON list", "[]", "Invalid job plan"],
    ["camelCase keys", JSON.stringify({ ...plan }), "plan_version"],
    ["a missing field", tamper(setAt(["shards"], undefined)), "shards"],
    ["replicas of 0", tamper(setAt(["replicas"], 0)), "replicas must be a whole number of at least 1"],
    ["a bad stage location", tamper(setAt(["output", "location"], "s3://b/out/")), "output.location"],
    ["a bad signature", tamper(setAt(["signature", "outputs"], [])), "at least one output"],
    ["a bad input schema", tamper(setAt(["input_schema", 0], { name: "X" })), "input_schema[0]"]
  ]
  it.each(malformed)("refuses %s", (_, text, fragment) => {
    failsWith(JobPlan.parse(text), "InvalidJobPlan", fragment)
  })
})

describe("JobPlan version skew", () => {
  const planned = (version: unknown) => {
    const wire = JSON.parse(JobPlan.toJson(plan)) as Record<string, unknown>
    return JSON.stringify({ ...wire, plan_version: version })
  }

  it.each([1, 3, "2", null])(
    "refuses plan version %j, saying which version it has and which this runbatch reads",
    (version) => {
      const e = failsWith(
        JobPlan.parse(planned(version), "@DB.S.ST/jobs/J/plan.json"),
        "InvalidJobPlan",
        "Invalid job plan @DB.S.ST/jobs/J/plan.json",
        `plan version ${JSON.stringify(version)}`,
        `this runbatch reads plan version ${JobPlan.PLAN_VERSION}`
      )
      // Only the version is reported, not every field another version lays out differently.
      expect(e.problems).toHaveLength(1)
      expect(e.problems[0]?.path).toBe("plan_version")
    }
  )

  it("refuses a version-1 plan, whose plugins name no specifier, by its version", () => {
    const wire = JSON.parse(JobPlan.toJson(plan)) as Record<string, unknown>
    const v1 = {
      ...wire,
      plan_version: 1,
      plugins: (wire["plugins"] as ReadonlyArray<Record<string, unknown>>).map(
        ({ specifier: _, ...rest }) => rest
      )
    }
    const e = failsWith(JobPlan.decode(v1), "InvalidJobPlan", "plan version 1")
    expect(e.problems.map((p) => p.path)).toStrictEqual(["plan_version"])
  })

  it("reads this version's plans, with each plugin's specifier", () => {
    const parsed = ok(JobPlan.parse(JobPlan.toJson(plan)))
    expect(parsed.planVersion).toBe(JobPlan.PLAN_VERSION)
    expect(JobPlan.pluginSpecifiers(parsed)).toStrictEqual([
      "@runbatch/engine-onnx",
      "/opt/plugins/encoder-stage-file"
    ])
  })

  it("refuses a plugin without a specifier", () => {
    const wire = JSON.parse(JobPlan.toJson(plan)) as Record<string, unknown>
    const plugins = (wire["plugins"] as ReadonlyArray<Record<string, unknown>>).map(
      ({ specifier: _, ...rest }) => rest
    )
    failsWith(JobPlan.decode({ ...wire, plugins }), "InvalidJobPlan", "plugins[0].specifier")
  })
})

describe("JobPlan shards used in the fixture", () => {
  it("differ between 1 and 4 target shards (so the fingerprint test above changes something)", () => {
    expect(Sharding.enumerate(files, 1)).not.toStrictEqual(plan.shards)
    expect(plan.shards).toHaveLength(4)
  })
})
