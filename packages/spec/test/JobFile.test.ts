import { describe, expect, it } from "@effect/vitest"
import { JobFile } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

const FULL_YAML = `
model: DB.SC.MY_MODEL
version: V1
function: predict
name: nightly
replicas: 2
compute_pool: POOL
warehouse: WH
block: true
source:
  table: DB.SC.INPUT
input:
  params:
    temperature: 0.5
    config: {top_k: 3}
  column_handling:
    IMG: {input_format: FULL_STAGE_PATH, convert_to: RAW_BYTES}
  partition_column: REGION
output:
  stage_location: "@DB.SC.STAGE/out/"
  mode: OVERWRITE
resources:
  cpu_requests: "2"
  memory_requests: 8Gi
  gpu_requests: 1
inference:
  num_workers: 4
  max_batch_rows: 1024
  max_batch_bytes: 16777216
  on_error: record
  engine_options:
    engine: VLLM
    engine_args_override: ["--max-model-len=4096"]
    options: {base_url: "http://127.0.0.1:8000"}
image_build:
  image_repo: DB.SC.REPO
  force_rebuild: true
`

const FULL: JobFile.JobDefinition = {
  model: "DB.SC.MY_MODEL",
  version: "V1",
  computePool: "POOL",
  source: { kind: "table", table: "DB.SC.INPUT" },
  inputSpec: {
    params: { temperature: 0.5, config: { top_k: 3 } },
    columnHandling: { IMG: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } },
    partitionColumn: "REGION"
  },
  outputSpec: { stageLocation: "@DB.SC.STAGE/out/", mode: "overwrite" },
  jobSpec: {
    jobName: "nightly",
    functionName: "predict",
    numWorkers: 4,
    maxBatchRows: 1024,
    maxBatchBytes: 16777216,
    warehouse: "WH",
    cpuRequests: "2",
    memoryRequests: "8Gi",
    gpuRequests: "1",
    replicas: 2,
    block: true,
    imageRepo: "DB.SC.REPO",
    forceRebuild: true,
    onError: "record"
  },
  inferenceEngineOptions: {
    engine: "vllm",
    engineArgsOverride: ["--max-model-len=4096"],
    options: { base_url: "http://127.0.0.1:8000" }
  }
}

const MINIMAL = (extra = "") =>
  `model: M\nsource: {table: T}\noutput: {stage_location: "@DB.S.ST/out/"}\n${extra}`

describe("JobFile.parse", () => {
  it("a complete YAML job file with every block", () => {
    expect(ok(JobFile.parse(FULL_YAML, "job.yaml"))).toStrictEqual(FULL)
  })

  it("the same job as JSON", () => {
    const json = JSON.stringify({
      model: "DB.SC.MY_MODEL",
      version: "V1",
      function: "predict",
      name: "nightly",
      replicas: 2,
      compute_pool: "POOL",
      warehouse: "WH",
      block: true,
      source: { table: "DB.SC.INPUT" },
      input: {
        params: { temperature: 0.5, config: { top_k: 3 } },
        column_handling: { IMG: { input_format: "FULL_STAGE_PATH", convert_to: "RAW_BYTES" } },
        partition_column: "REGION"
      },
      output: { stage_location: "@DB.SC.STAGE/out/", mode: "OVERWRITE" },
      resources: { cpu_requests: "2", memory_requests: "8Gi", gpu_requests: 1 },
      inference: {
        num_workers: 4,
        max_batch_rows: 1024,
        max_batch_bytes: 16777216,
        on_error: "record",
        engine_options: {
          engine: "VLLM",
          engine_args_override: ["--max-model-len=4096"],
          options: { base_url: "http://127.0.0.1:8000" }
        }
      },
      image_build: { image_repo: "DB.SC.REPO", force_rebuild: true }
    })
    expect(ok(JobFile.parse(json, "job.json"))).toStrictEqual(FULL)
  })

  const sources: ReadonlyArray<readonly [string, string, JobFile.JobSource]> = [
    ["a table", "{table: DB.SC.T}", { kind: "table", table: "DB.SC.T" }],
    [
      "a query",
      "{query: 'SELECT * FROM T WHERE X > 1'}",
      { kind: "query", query: "SELECT * FROM T WHERE X > 1" }
    ],
    [
      "files with a pattern and a column",
      "{files: '@DB.S.ST/images/', pattern: '.*\\.jpe?g', column: IMAGES}",
      { kind: "files", location: "@DB.S.ST/images/", pattern: ".*\\.jpe?g", column: "IMAGES" }
    ],
    ["files alone", "{files: '@DB.S.ST/images/'}", { kind: "files", location: "@DB.S.ST/images/" }],
    [
      "files that may be none",
      "{files: '@DB.S.ST/images/', allow_empty: true}",
      { kind: "files", location: "@DB.S.ST/images/", allowEmpty: true }
    ],
    [
      "parquet with a pattern",
      "{parquet: '@DB.S.ST/in/', pattern: '.*\\.parquet'}",
      { kind: "parquet", location: "@DB.S.ST/in/", pattern: ".*\\.parquet" }
    ]
  ]
  it.each(sources)("a source of %s", (_, source, expected) => {
    const job = ok(
      JobFile.parse(`model: M\nsource: ${source}\noutput: {base_stage_location: "@DB.S.ST/jobs/"}\n`)
    )
    expect(job.source).toStrictEqual(expected)
    expect(job.outputSpec).toStrictEqual({ baseStageLocation: "@DB.S.ST/jobs/" })
    expect(job.inputSpec).toStrictEqual({})
    expect(job.jobSpec).toStrictEqual({})
  })

  it("inference.strict_nulls, written back as read", () => {
    const job = ok(JobFile.parse(MINIMAL("inference: {strict_nulls: true}\n")))
    expect(job.jobSpec).toStrictEqual({ strictNulls: true })
    expect(JobFile.toYaml(job)).toContain("strict_nulls: true")
  })

  it("a name prefix", () => {
    expect(ok(JobFile.parse(MINIMAL("name_prefix: custom_prefix\n"))).jobSpec).toStrictEqual({
      jobNamePrefix: "custom_prefix"
    })
  })
})

describe("JobFile.parse rejections", () => {
  const rejected: ReadonlyArray<readonly [string, string, ReadonlyArray<readonly [string, string]>]> = [
    ["a YAML syntax error", "model: a\nsource: [\n", [["line 3, column 1", "Flow sequence"]]],
    ["a duplicate key", "model: a\nmodel: b\n", [["line 2, column 1", "Map keys must be unique"]]],
    ["a list", "- a\n", [["", "a job file is a mapping"]]],
    ["a scalar", "just text\n", [["", "a job file is a mapping"]]],
    ["an empty file", "", [["", "a job file is a mapping"]]],
    [
      "missing model, source and output",
      "version: V1\n",
      [
        ["model", "Missing key"],
        ["source", "Missing key"],
        ["output", "Missing key"]
      ]
    ],
    [
      "two sources",
      "model: m\nsource: {table: t, query: 'select 1'}\noutput: {stage_location: '@a.b.c/'}\n",
      [["source", "give only one of table, query, files and parquet (found table, query)"]]
    ],
    [
      "no source",
      "model: m\nsource: {}\noutput: {stage_location: '@a.b.c/'}\n",
      [["source", "name the input with one of table, query, files"]]
    ],
    [
      "pattern with a table source",
      "model: m\nsource: {table: t, pattern: '.*'}\noutput: {stage_location: '@a.b.c/'}\n",
      [["source.pattern", "pattern applies only to files or parquet sources."]]
    ],
    [
      "allow_empty with a table source",
      "model: m\nsource: {table: t, allow_empty: true}\noutput: {stage_location: '@a.b.c/'}\n",
      [["source.allow_empty", "allow_empty applies only to a files source"]]
    ],
    [
      "column with a parquet source",
      "model: m\nsource: {parquet: '@a.b.c/', column: X}\noutput: {stage_location: '@a.b.c/'}\n",
      [["source.column", "column applies only to a files source"]]
    ],
    [
      "a bad pattern",
      "model: m\nsource: {files: '@a.b.c/', pattern: '('}\noutput: {stage_location: '@a.b.c/'}\n",
      [["source.pattern", "not a valid regular expression"]]
    ],
    [
      "an unknown top-level field",
      MINIMAL("replica: 2\n"),
      [["replica", "unknown field. Did you mean 'replicas'?"]]
    ],
    [
      "a misspelt block",
      MINIMAL("resource: {cpu_requests: '2'}\n"),
      [["resource", "unknown field. Did you mean 'resources' or 'source'?"]]
    ],
    [
      "name and name_prefix",
      MINIMAL("name: a\nname_prefix: b\n"),
      [["name", "name and name_prefix are mutually exclusive. Please specify only one or neither."]]
    ],
    [
      "both output locations",
      "model: m\nsource: {table: t}\noutput: {stage_location: '@a.b.c/', base_stage_location: '@a.b.c/x/'}\n",
      [["output.stage_location", "stage_location and base_stage_location are mutually exclusive"]]
    ],
    [
      "no output location",
      "model: m\nsource: {table: t}\noutput: {mode: overwrite}\n",
      [["output.stage_location", "Either stage_location or base_stage_location must be provided."]]
    ],
    [
      "nested errors with snake_case paths",
      "model: m\nsource: {table: t}\noutput: {stage_location: 'x'}\ninference: {num_workers: 0}\ninput: {column_handling: {IMG: {input_format: a, convert_to: ''}}}\n",
      [
        ["input.column_handling.IMG.convert_to", "must not be empty"],
        ["output.stage_location", "a stage location starts with @"],
        ["inference.num_workers", "num_workers must be a whole number of at least 1, got 0"]
      ]
    ],
    [
      "unknown nested fields",
      "model: m\nsource: {table: t}\noutput: {stage_location: '@a.b.c/', mod: x}\ninference: {engine_options: {engin: x}}\n",
      [
        ["output.mod", "unknown field. Did you mean 'mode'?"],
        ["inference.engine_options.engin", "unknown field. Did you mean 'engine'?"]
      ]
    ],
    [
      "a blocked engine argument",
      MINIMAL("inference: {engine_options: {engine: vllm, engine_args_override: ['--port=8000']}}\n"),
      [["inference.engine_options.engine_args_override[0]", "The argument --port is set by runbatch"]]
    ],
    [
      "engine args without an engine",
      MINIMAL("inference: {engine_options: {engine_args_override: ['--x']}}\n"),
      [["inference.engine_options.engine", "'engine' field is required in inference_engine_options"]]
    ],
    [
      "bad resources",
      MINIMAL("resources: {memory_requests: '8', gpu_requests: 0}\n"),
      [
        ["resources.memory_requests", "is not a memory quantity"],
        ["resources.gpu_requests", "Invalid gpu_requests"]
      ]
    ],
    [
      "replicas of 0",
      MINIMAL("replicas: 0\n"),
      [["replicas", "replicas must be a whole number of at least 1, got 0"]]
    ],
    [
      "an invalid model name",
      "model: a.b.c.d\nsource: {table: t}\noutput: {stage_location: '@a.b.c/'}\n",
      [["model", "at most three parts"]]
    ],
    [
      "a malformed user stage source",
      "model: m\nsource: {files: '@~x/'}\noutput: {stage_location: '@a.b.c/'}\n",
      [["source.files", "the user stage is written @~ followed by /"]]
    ],
    [
      "aliases that expand exponentially (a billion laughs)",
      [
        "a: &a [x, x, x, x, x, x, x, x, x, x]",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "model: *c"
      ].join("\n"),
      [["", "aliases expand more than 100 times"]]
    ],
    ["an alias to an anchor never set", "model: *m\n", [["", "Unresolved alias"]]],
    [
      "an alias inside its own anchor",
      "model: m\nsource: {table: t}\noutput: {stage_location: '@a.b.c/'}\ninput: {params: {p: &p [*p]}}\n",
      [["", "input.params.p[0] is an alias inside its own anchor"]]
    ]
  ]
  it.each(rejected)("rejects %s", (_, text, problems) => {
    const e = failsWith(JobFile.parse(text, "job.yaml"), "InvalidJobFile", "Invalid job file job.yaml")
    expect(e.source).toBe("job.yaml")
    expect(e.problems).toHaveLength(problems.length)
    for (const [path, message] of problems) {
      const problem = e.problems.find((p) => p.path === path)
      expect(problem, `no problem at ${JSON.stringify(path)} in ${JSON.stringify(e.problems)}`).toBeDefined()
      expect(problem?.message).toContain(message)
    }
  })

  it("a syntax error message is one line", () => {
    const e = failsWith(JobFile.parse("model: a\nsource: [\n"), "InvalidJobFile")
    expect(e.problems[0]?.message).not.toContain("\n")
  })

  it("decode takes an already-parsed object and names its source", () => {
    failsWith(JobFile.decode({ model: "m" }, "inline"), "InvalidJobFile", "Invalid job file inline")
  })
})

describe("JobFile round trips", () => {
  const jobs: ReadonlyArray<readonly [string, JobFile.JobDefinition]> = [
    ["the complete job", FULL],
    [
      "a minimal job",
      {
        model: "M",
        source: { kind: "query", query: "SELECT 1 AS X" },
        inputSpec: {},
        outputSpec: { baseStageLocation: "@DB.S.ST/jobs/" },
        jobSpec: {}
      }
    ],
    [
      "a files job",
      {
        model: '"My Model"',
        version: '"v1.2"',
        source: {
          kind: "files",
          location: "@DB.S.ST/images/",
          pattern: ".*\\.png",
          column: "IMAGES",
          allowEmpty: true
        },
        inputSpec: { columnHandling: { IMAGES: { inputFormat: "full_stage_path", convertTo: "base64" } } },
        outputSpec: { stageLocation: "@DB.S.ST/out/", mode: "error" },
        jobSpec: { jobNamePrefix: "nightly", onError: "record" }
      }
    ],
    [
      "a parquet job with engine options only",
      {
        model: "DB.SC.M",
        source: { kind: "parquet", location: "@DB.S.ST/in/" },
        inputSpec: { params: { stop: ["."], when: "2025-06-15T10:30:00" } },
        outputSpec: { stageLocation: "@DB.S.ST/out/" },
        jobSpec: {},
        inferenceEngineOptions: { engine: "onnx" }
      }
    ]
  ]
  it.each(jobs)("%s: toYaml → parse", (_, job) => {
    expect(ok(JobFile.parse(JobFile.toYaml(job)))).toStrictEqual(job)
  })
  it.each(jobs)("%s: toJson → parse", (_, job) => {
    const text = JobFile.toJson(job)
    expect(() => JSON.parse(text)).not.toThrow()
    expect(ok(JobFile.parse(text))).toStrictEqual(job)
  })

  it("toWire is snake_case and leaves empty blocks out", () => {
    const wire = JobFile.toWire(FULL) as Record<string, unknown>
    expect(Object.keys(wire)).toStrictEqual([
      "model",
      "version",
      "function",
      "name",
      "replicas",
      "compute_pool",
      "warehouse",
      "block",
      "source",
      "input",
      "output",
      "resources",
      "inference",
      "image_build"
    ])
    expect(wire["inference"]).toStrictEqual({
      num_workers: 4,
      max_batch_rows: 1024,
      max_batch_bytes: 16777216,
      on_error: "record",
      engine_options: {
        engine: "vllm",
        engine_args_override: ["--max-model-len=4096"],
        options: { base_url: "http://127.0.0.1:8000" }
      }
    })
    const minimal = JobFile.toWire(jobs[1]![1]) as Record<string, unknown>
    expect(Object.keys(minimal)).toStrictEqual(["model", "source", "output"])
  })
})
