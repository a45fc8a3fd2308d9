/**
 * The job plan: everything one replica needs to run its share of a job, written once as `plan.json`
 * beside the job's staged input and read by every replica, locally and in Snowpark Container Services.
 * Artifacts and inputs are named by stage location, never by a local path, so a replica resolves them
 * through its StageStore wherever it runs. On the wire the plan is snake_case JSON.
 *
 * The fingerprint is a stable hash of everything that changes results (model, function, signature,
 * column mapping and handling, engine and options, plugin versions, params, input files and shards,
 * output location, error mode) and of nothing that does not (job name, time, replicas, batch sizes).
 * Resume refuses to continue a job whose fingerprint no longer matches.
 *
 * Each planned plugin names the specifier it was loaded from (a package name, or the absolute folder
 * of a plugin given by path): replicas load exactly those, from the plan alone. Where the code was
 * found does not change results (its integrity does), so specifiers are not hashed.
 */
import { createHash } from "node:crypto"
import { Effect, Schema } from "effect"
import { InvalidJobPlan } from "./errors/SpecErrors.ts"
import { problemsOf } from "./internal/decode.ts"
import { FileLocationText, PositiveInt, StageLocationText } from "./internal/fields.ts"
import { snakeKeys } from "./internal/snake.ts"
import { ON_ERROR } from "./JobSpec.ts"
import { SAVE_MODES } from "./OutputSpec.ts"
import type { Json } from "./Params.ts"
import * as Signature from "./Signature.ts"

/** 2: each planned plugin records its specifier. */
export const PLAN_VERSION = 2

const QualifiedName = snakeKeys(
  Schema.Struct({ database: Schema.String, schema: Schema.String, name: Schema.String })
)

const Compatibility = Schema.Union([
  Schema.Struct({ kind: Schema.Literals(["exact", "widen"]) }),
  Schema.Struct({
    kind: Schema.Literal("checked"),
    checks: Schema.Array(Schema.Literals(["range", "length"]))
  })
])

const PlanFields = Schema.Struct({
  planVersion: Schema.Literal(PLAN_VERSION),
  runbatchVersion: Schema.String,
  createdAt: Schema.String,
  job: QualifiedName,
  model: snakeKeys(
    Schema.Struct({
      database: Schema.String,
      schema: Schema.String,
      name: Schema.String,
      version: Schema.String
    })
  ),
  function: snakeKeys(
    Schema.Struct({
      name: Schema.String,
      targetMethod: Schema.String,
      kind: Schema.Literals(["FUNCTION", "TABLE_FUNCTION"])
    })
  ),
  signature: Schema.Unknown,
  inputSchema: Schema.Array(Schema.Unknown),
  outputSchema: Schema.Array(Schema.Unknown),
  columnMapping: Schema.Array(
    snakeKeys(
      Schema.Struct({
        feature: Schema.String,
        column: Schema.String,
        featureType: Schema.String,
        columnType: Schema.String,
        compatibility: Compatibility
      })
    )
  ),
  columnHandling: Schema.Array(
    snakeKeys(
      Schema.Struct({
        column: Schema.String,
        inputFormat: Schema.String,
        convertTo: Schema.String,
        encoder: Schema.String
      })
    )
  ),
  engine: snakeKeys(
    Schema.Struct({
      id: Schema.String,
      options: Schema.Record(Schema.String, Schema.Unknown),
      engineArgsOverride: Schema.Array(Schema.String)
    })
  ),
  plugins: Schema.Array(
    snakeKeys(
      Schema.Struct({
        kind: Schema.Literals(["encoder", "engine"]),
        id: Schema.String,
        packageName: Schema.String,
        version: Schema.String,
        integrity: Schema.String,
        /** What to load it by: a package name, or the absolute path of its folder. */
        specifier: Schema.String
      })
    )
  ),
  params: Schema.Record(Schema.String, Schema.Unknown),
  batch: snakeKeys(
    Schema.Struct({
      maxBatchRows: Schema.optionalKey(PositiveInt("max_batch_rows")),
      /** Bytes of stage files a batch may read (JobSpec `max_batch_bytes`); absent: the runtime's default. */
      maxBatchBytes: Schema.optionalKey(PositiveInt("max_batch_bytes")),
      numWorkers: Schema.optionalKey(PositiveInt("num_workers")),
      /** Batches a worker keeps in flight at once (the engine's `concurrentBatches`); default 1. */
      concurrentBatches: Schema.optionalKey(PositiveInt("concurrent_batches"))
    })
  ),
  replicas: PositiveInt("replicas"),
  onError: Schema.Literals(ON_ERROR),
  /** A NULL feeding a non-nullable feature fails its row (JobSpec `strict_nulls`); absent: false. */
  strictNulls: Schema.optionalKey(Schema.Boolean),
  input: snakeKeys(
    Schema.Struct({
      location: StageLocationText,
      files: Schema.Array(
        snakeKeys(
          Schema.Struct({
            path: Schema.String,
            bytes: Schema.Number,
            rowGroups: Schema.Array(Schema.Number),
            /** Hex sha256 of the staged file, computed as it was written; absent in older plans. */
            sha256: Schema.optionalKey(Schema.String)
          })
        )
      )
    })
  ),
  shards: Schema.Array(
    snakeKeys(
      Schema.Struct({
        index: Schema.Number,
        file: Schema.String,
        rowGroupStart: Schema.Number,
        rowGroupEnd: Schema.Number,
        rows: Schema.Number
      })
    )
  ),
  output: snakeKeys(Schema.Struct({ location: StageLocationText, mode: Schema.Literals(SAVE_MODES) })),
  artifacts: Schema.Array(
    snakeKeys(
      Schema.Struct({
        name: Schema.String,
        location: FileLocationText,
        bytes: Schema.Number,
        sha256: Schema.String,
        /**
         * A copy in the job's own folder, written at plan time with the same sha256, which replicas
         * read instead: a container mounts stages, never the model registry (`snow://model/…`).
         */
        staged: Schema.optionalKey(StageLocationText)
      })
    )
  ),
  fingerprint: Schema.String
})

type PlanShape = typeof PlanFields.Type

/** A decoded plan: the wire form with its signature and schemas as typed features. */
export interface JobPlan
  extends Omit<PlanShape, "signature" | "inputSchema" | "outputSchema" | "params" | "engine"> {
  readonly signature: Signature.ModelSignature
  readonly inputSchema: ReadonlyArray<Signature.Feature>
  readonly outputSchema: ReadonlyArray<Signature.Feature>
  readonly params: Readonly<Record<string, Json>>
  readonly engine: {
    readonly id: string
    readonly options: Readonly<Record<string, Json>>
    readonly engineArgsOverride: ReadonlyArray<string>
  }
}

/** Canonical JSON: keys sorted at every level, so equal values hash equally. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v
  )

/** Wire keys that do not change results: when and by what the plan was written, and the hash itself. */
const UNHASHED = new Set(["created_at", "runbatch_version", "fingerprint", "batch", "replicas", "job"])

/**
 * The result-affecting part of a plan, taken from its wire form: what is hashed is exactly what
 * `plan.json` holds, so extra properties an object carried in memory (a registry's function record,
 * say) can never make a plan fail its own check once written and read back.
 */
const fingerprintInput = (plan: Omit<JobPlan, "fingerprint">) => {
  const wire = toWire({ ...plan, fingerprint: "" }) as Record<string, unknown>
  return Object.fromEntries(
    Object.entries(wire)
      .filter(([key]) => !UNHASHED.has(key))
      .map(([key, value]) => [key, hashedPart(key, value)])
  )
}

/** Of the output, only where it goes; of a plugin, what it is, not where it was found. */
const hashedPart = (key: string, value: unknown): unknown => {
  if (key === "output") return (value as { readonly location: string }).location
  if (key === "plugins")
    return (value as ReadonlyArray<Record<string, unknown>>).map(({ specifier: _, ...plugin }) => plugin)
  return value
}

/** `sha256:<hex>` over the canonical JSON of everything that changes results. */
export const fingerprint = (plan: Omit<JobPlan, "fingerprint">): string =>
  `sha256:${createHash("sha256")
    .update(canonicalJson(fingerprintInput(plan)))
    .digest("hex")}`

/** Complete a plan with its fingerprint. */
export const make = (plan: Omit<JobPlan, "fingerprint">): JobPlan => ({
  ...plan,
  fingerprint: fingerprint(plan)
})

const PlanWire = snakeKeys(PlanFields)

/** The plan as a plain JSON-ready object (snake_case). */
export const toWire = (plan: JobPlan): unknown =>
  Schema.encodeSync(PlanWire)({
    ...plan,
    signature: Signature.toWire(plan.signature),
    inputSchema: plan.inputSchema.map(Signature.featureToWire),
    outputSchema: plan.outputSchema.map(Signature.featureToWire)
  })

/** `plan.json` text. */
export const toJson = (plan: JobPlan): string => `${JSON.stringify(toWire(plan), null, 2)}\n`

const knownFields = new Set(
  Object.values(PlanFields.fields).flatMap((f) => ("fields" in f ? Object.keys(f.fields as object) : []))
)

/** The plugin specifiers a replica loads the plan's plugins by, besides the first-party ones. */
export const pluginSpecifiers = (plan: JobPlan): ReadonlyArray<string> => plan.plugins.map((p) => p.specifier)

/**
 * A plan written in another plan version (by another runbatch) is refused by its version first, so the
 * error says which runbatch it needs rather than listing every field that moved.
 */
const versionSkew = (input: unknown, source: string): InvalidJobPlan | undefined => {
  if (typeof input !== "object" || input === null || !("plan_version" in input)) return undefined
  const version = (input as { readonly plan_version: unknown }).plan_version
  if (version === PLAN_VERSION) return undefined
  return new InvalidJobPlan({
    source,
    problems: [
      {
        path: "plan_version",
        message: `the plan is plan version ${JSON.stringify(version)}, and this runbatch reads plan version ${PLAN_VERSION} only: the job was planned by another runbatch version. Run its replicas with the runbatch that planned it, or run the job again.`
      }
    ]
  })
}

/** Decode a plan; `source` names it in errors. Checks the fingerprint still matches its contents. */
export const decode = (input: unknown, source = "plan.json"): Effect.Effect<JobPlan, InvalidJobPlan> =>
  Effect.gen(function* () {
    const skew = versionSkew(input, source)
    if (skew !== undefined) return yield* skew
    const wire = yield* Schema.decodeUnknownEffect(PlanWire)(input, { errors: "all" }).pipe(
      Effect.mapError(
        (error) => new InvalidJobPlan({ source, problems: problemsOf(error.issue, "wire", knownFields) })
      )
    )
    const asPlanError = (e: { readonly message: string }) =>
      new InvalidJobPlan({ source, problems: [{ path: "", message: e.message }] })
    const signature = yield* Signature.fromWire(wire.signature, "signature").pipe(
      Effect.mapError(asPlanError)
    )
    const inputSchema = yield* Signature.featuresFromWire(wire.inputSchema, "input_schema").pipe(
      Effect.mapError(asPlanError)
    )
    const outputSchema = yield* Signature.featuresFromWire(wire.outputSchema, "output_schema").pipe(
      Effect.mapError(asPlanError)
    )
    const plan: JobPlan = {
      ...wire,
      signature,
      inputSchema,
      outputSchema,
      params: wire.params as Record<string, Json>,
      engine: wire.engine as JobPlan["engine"]
    }
    const expected = fingerprint(plan)
    if (expected !== plan.fingerprint) {
      return yield* new InvalidJobPlan({
        source,
        problems: [
          {
            path: "fingerprint",
            message: `the plan's contents do not match its fingerprint (${plan.fingerprint} recorded, ${expected} computed): the file was edited or damaged.`
          }
        ]
      })
    }
    return plan
  })

/** Parse `plan.json` text. */
export const parse = (text: string, source = "plan.json"): Effect.Effect<JobPlan, InvalidJobPlan> =>
  Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) =>
      new InvalidJobPlan({ source, problems: [{ path: "", message: `not JSON: ${(e as Error).message}` }] })
  }).pipe(Effect.flatMap((value) => decode(value, source)))
