/**
 * Job files: one YAML (or JSON) document describing a whole job, shaped like the body of Snowflake's
 * `EXECUTE INFERENCE JOB SERVICE` (`input`, `output`, `resources`, `inference`, `image_build`) plus what
 * the SQL form says in clauses: `model`, `version`, `function`, `name` (or `name_prefix`), `replicas`,
 * and the input `source`.
 *
 * One deliberate difference from the SQL form: `output.stage_location` is the exact output folder, as
 * in `OutputSpec`; use `output.base_stage_location` for a per-job subfolder `<base>/<job name>/` (which
 * is what `stage_location` means in `EXECUTE INFERENCE JOB SERVICE`).
 */
import { Effect, Schema } from "effect"
import * as Yaml from "yaml"
import { InvalidJobFile, type Problem } from "./errors/SpecErrors.ts"
import * as InferenceEngineOptions from "./InferenceEngineOptions.ts"
import * as InputSpec from "./InputSpec.ts"
import { didYouMean } from "./internal/closest.ts"
import { fieldNames, problemsOf } from "./internal/decode.ts"
import {
  CpuText,
  GpuText,
  IdentifierText,
  MemoryText,
  PositiveInt,
  QualifiedNameText,
  StageLocationText
} from "./internal/fields.ts"
import * as JobSpec from "./JobSpec.ts"
import * as OutputSpec from "./OutputSpec.ts"
import { plainValue } from "./YamlValue.ts"

/** Where the rows come from: a table, a query, files listed from a stage, or parquet files on a stage. */
export type JobSource =
  | { readonly kind: "table"; readonly table: string }
  | { readonly kind: "query"; readonly query: string }
  | {
      readonly kind: "files"
      readonly location: string
      readonly pattern?: string
      readonly column?: string
      /** Run even when no file matches (a job of no rows); default: refused with NoFilesMatched. */
      readonly allowEmpty?: boolean
    }
  | { readonly kind: "parquet"; readonly location: string; readonly pattern?: string }

/** A whole job: what `runBatch` and `runbatch run` take. */
export interface JobDefinition {
  readonly model: string
  readonly version?: string
  readonly computePool?: string
  readonly source: JobSource
  readonly inputSpec: InputSpec.InputSpec
  readonly outputSpec: OutputSpec.OutputSpec
  readonly jobSpec: JobSpec.JobSpec
  readonly inferenceEngineOptions?: InferenceEngineOptions.InferenceEngineOptions
}

const Pattern = Schema.String.check(
  Schema.makeFilter((pattern) => {
    try {
      new RegExp(pattern)
      return undefined
    } catch (e) {
      return `not a valid regular expression: ${(e as Error).message}`
    }
  })
)

const SourceFields = Schema.Struct({
  table: Schema.optionalKey(QualifiedNameText),
  query: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
  files: Schema.optionalKey(StageLocationText),
  parquet: Schema.optionalKey(StageLocationText),
  pattern: Schema.optionalKey(Pattern),
  column: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
  allow_empty: Schema.optionalKey(Schema.Boolean)
}).check(
  Schema.makeFilter((s) => {
    const kinds = (["table", "query", "files", "parquet"] as const).filter((k) => s[k] !== undefined)
    if (kinds.length !== 1) {
      return kinds.length === 0
        ? "name the input with one of table, query, files (a stage folder of files) or parquet (a stage folder of parquet files)."
        : `give only one of table, query, files and parquet (found ${kinds.join(", ")}).`
    }
    if (s.pattern !== undefined && s.files === undefined && s.parquet === undefined) {
      return { path: ["pattern"], issue: "pattern applies only to files or parquet sources." }
    }
    if (s.allow_empty !== undefined && s.files === undefined) {
      return {
        path: ["allow_empty"],
        issue: "allow_empty applies only to a files source (run even when no file matches)."
      }
    }
    if (s.column !== undefined && s.files === undefined) {
      return {
        path: ["column"],
        issue: "column applies only to a files source (the name of the path column)."
      }
    }
    return undefined
  })
)

const Resources = Schema.Struct({
  cpu_requests: Schema.optionalKey(CpuText),
  memory_requests: Schema.optionalKey(MemoryText),
  gpu_requests: Schema.optionalKey(GpuText)
})

const Inference = Schema.Struct({
  num_workers: Schema.optionalKey(PositiveInt("num_workers")),
  max_batch_rows: Schema.optionalKey(PositiveInt("max_batch_rows")),
  max_batch_bytes: Schema.optionalKey(PositiveInt("max_batch_bytes")),
  on_error: Schema.optionalKey(Schema.Literals(JobSpec.ON_ERROR)),
  strict_nulls: Schema.optionalKey(Schema.Boolean),
  engine_options: Schema.optionalKey(InferenceEngineOptions.InferenceEngineOptionsWire)
})

const ImageBuild = Schema.Struct({
  image_repo: Schema.optionalKey(QualifiedNameText),
  force_rebuild: Schema.optionalKey(Schema.Boolean)
})

export const JobFileSchema = Schema.Struct({
  model: QualifiedNameText,
  version: Schema.optionalKey(IdentifierText),
  function: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
  name: Schema.optionalKey(QualifiedNameText),
  name_prefix: Schema.optionalKey(IdentifierText),
  replicas: Schema.optionalKey(PositiveInt("replicas")),
  compute_pool: Schema.optionalKey(IdentifierText),
  warehouse: Schema.optionalKey(IdentifierText),
  block: Schema.optionalKey(Schema.Boolean),
  source: SourceFields,
  input: Schema.optionalKey(InputSpec.InputSpecWire),
  output: OutputSpec.OutputSpecWire,
  resources: Schema.optionalKey(Resources),
  inference: Schema.optionalKey(Inference),
  image_build: Schema.optionalKey(ImageBuild)
}).check(
  Schema.makeFilter((f) =>
    f.name !== undefined && f.name_prefix !== undefined
      ? {
          path: ["name"],
          issue: "name and name_prefix are mutually exclusive. Please specify only one or neither."
        }
      : undefined
  )
)
export type JobFileWire = typeof JobFileSchema.Encoded

const knownFields = new Set([
  ...InputSpec.knownFields,
  ...OutputSpec.knownFields,
  ...InferenceEngineOptions.knownFields,
  ...fieldNames(Resources, Inference, ImageBuild, SourceFields)
])

// problemsOf answers unknown keys from the blocks' fields; a top-level key is answered from the top level.
const topLevelFields = Object.keys(JobFileSchema.fields)
const suggestTopLevel = (problem: Problem): Problem =>
  /^[^.[]+$/.test(problem.path) && problem.message.startsWith("unknown field.")
    ? { path: problem.path, message: `unknown field.${didYouMean(problem.path, topLevelFields)}` }
    : problem

/** Drop undefined fields, so optional keys are absent rather than undefined. */
const defined = <A extends object>(value: { readonly [K in keyof A]?: A[K] | undefined }): A =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as A

const sourceOf = (s: typeof SourceFields.Type): JobSource => {
  if (s.table !== undefined) return { kind: "table", table: s.table }
  if (s.query !== undefined) return { kind: "query", query: s.query }
  if (s.files !== undefined) {
    return defined<JobSource & { kind: "files" }>({
      kind: "files",
      location: s.files,
      pattern: s.pattern,
      column: s.column,
      allowEmpty: s.allow_empty
    })
  }
  return defined<JobSource & { kind: "parquet" }>({
    kind: "parquet",
    location: s.parquet!,
    pattern: s.pattern
  })
}

const toDefinition = (f: typeof JobFileSchema.Type): JobDefinition => {
  const jobSpec = defined<JobSpec.JobSpec>({
    jobName: f.name,
    jobNamePrefix: f.name_prefix,
    functionName: f.function,
    numWorkers: f.inference?.num_workers,
    maxBatchRows: f.inference?.max_batch_rows,
    maxBatchBytes: f.inference?.max_batch_bytes,
    warehouse: f.warehouse,
    cpuRequests: f.resources?.cpu_requests,
    memoryRequests: f.resources?.memory_requests,
    gpuRequests: f.resources?.gpu_requests,
    replicas: f.replicas,
    block: f.block,
    imageRepo: f.image_build?.image_repo,
    forceRebuild: f.image_build?.force_rebuild,
    onError: f.inference?.on_error,
    strictNulls: f.inference?.strict_nulls
  })
  return defined<JobDefinition>({
    model: f.model,
    version: f.version,
    computePool: f.compute_pool,
    source: sourceOf(f.source),
    inputSpec: f.input ?? {},
    outputSpec: f.output,
    jobSpec,
    inferenceEngineOptions: f.inference?.engine_options
  })
}

/** Parse YAML or JSON text (JSON is YAML); syntax errors carry their line and column. */
const parseText = (text: string, source: string): Effect.Effect<unknown, InvalidJobFile> => {
  // With prettyErrors off the parser sets no linePos, so positions come from a line counter.
  const lineCounter = new Yaml.LineCounter()
  const doc = Yaml.parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter })
  if (doc.errors.length > 0) {
    const problems: Array<Problem> = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0])
      return { path: `line ${line}, column ${col}`, message: e.message.split("\n")[0]! }
    })
    return Effect.fail(new InvalidJobFile({ source, problems }))
  }
  const plain = plainValue(doc)
  if ("problem" in plain) {
    return Effect.fail(new InvalidJobFile({ source, problems: [{ path: "", message: plain.problem }] }))
  }
  const value = plain.value
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return Effect.fail(
      new InvalidJobFile({
        source,
        problems: [{ path: "", message: "a job file is a mapping with model, source and output at least." }]
      })
    )
  }
  return Effect.succeed(value)
}

/** Decode an already-parsed job file object. */
export const decode = (input: unknown, source = "job file"): Effect.Effect<JobDefinition, InvalidJobFile> =>
  Schema.decodeUnknownEffect(JobFileSchema)(input, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.map(toDefinition),
    Effect.mapError(
      (error) =>
        new InvalidJobFile({
          source,
          problems: problemsOf(error.issue, "wire", knownFields).map(suggestTopLevel)
        })
    )
  )

/** Parse and decode the text of a job file; `source` names it in errors (usually its path). */
export const parse = (text: string, source = "job file"): Effect.Effect<JobDefinition, InvalidJobFile> =>
  Effect.flatMap(parseText(text, source), (value) => decode(value, source))

/** The job file form of a definition (snake_case, empty blocks left out). */
export const toWire = (job: JobDefinition): JobFileWire => {
  const s = job.jobSpec
  const source = job.source
  const block = (value: object): object | undefined => {
    const kept = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))
    return Object.keys(kept).length === 0 ? undefined : kept
  }
  const engineOptions = job.inferenceEngineOptions
  return Object.fromEntries(
    Object.entries({
      model: job.model,
      version: job.version,
      function: s.functionName,
      name: s.jobName,
      name_prefix: s.jobNamePrefix,
      replicas: s.replicas,
      compute_pool: job.computePool,
      warehouse: s.warehouse,
      block: s.block,
      source:
        source.kind === "table"
          ? { table: source.table }
          : source.kind === "query"
            ? { query: source.query }
            : source.kind === "files"
              ? defined({
                  files: source.location,
                  pattern: source.pattern,
                  column: source.column,
                  allow_empty: source.allowEmpty
                })
              : defined({ parquet: source.location, pattern: source.pattern }),
      input: block(Schema.encodeSync(InputSpec.InputSpecWire)(job.inputSpec)),
      output: Schema.encodeSync(OutputSpec.OutputSpecWire)(job.outputSpec),
      resources: block({
        cpu_requests: s.cpuRequests,
        memory_requests: s.memoryRequests,
        gpu_requests: s.gpuRequests
      }),
      inference: block({
        num_workers: s.numWorkers,
        max_batch_rows: s.maxBatchRows,
        max_batch_bytes: s.maxBatchBytes,
        on_error: s.onError,
        strict_nulls: s.strictNulls,
        engine_options:
          engineOptions === undefined
            ? undefined
            : Schema.encodeSync(InferenceEngineOptions.InferenceEngineOptionsWire)(engineOptions)
      }),
      image_build: block({ image_repo: s.imageRepo, force_rebuild: s.forceRebuild })
    }).filter(([, v]) => v !== undefined)
  ) as JobFileWire
}

/** The job as YAML text, ready to save and run with `runbatch run -f`. */
export const toYaml = (job: JobDefinition): string =>
  Yaml.stringify(toWire(job), { lineWidth: 0, aliasDuplicateObjects: false })

/** The job as JSON text. */
export const toJson = (job: JobDefinition): string => `${JSON.stringify(toWire(job), null, 2)}\n`
