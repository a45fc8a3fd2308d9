/**
 * One reader for both backends. A model version is described by the same documents wherever it lives:
 *
 * | input            | Snowflake                                                         | local registry        |
 * | ---------------- | ----------------------------------------------------------------- | --------------------- |
 * | `modelSpecYaml`  | `SHOW VERSIONS … IN MODEL` column `model_spec` (statement param    | `model/model.yaml`    |
 * |                  | `SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL = true`)             |                       |
 * | `userDataJson`   | `SHOW VERSIONS` column `user_data` (the manifest's `user_data`)    | `user_data.json`      |
 * | `functionRows`   | `SHOW FUNCTIONS IN MODEL … VERSION …` (`name`, `return_type`)      | none                  |
 * | `manifestYaml`   | `GET 'snow://model/…/versions/V/MANIFEST.yml'`                     | `MANIFEST.yml`        |
 *
 * Functions are found as snowflake-ml-python finds them (`ModelOperator.get_functions`): the SQL
 * functions come from `SHOW FUNCTIONS` (a `TABLE (…)` return type makes a TABLE_FUNCTION) or, when it
 * lists none, from the manifest's methods; each signature method `abc` is the SQL function `"abc"` if
 * there is one, else `ABC`; a table function is partitioned unless `function_properties` says
 * `PARTITIONED: false`.
 */
import {
  InvalidModelVersion,
  type Json,
  type ModelFunction,
  type Signature,
  SignatureYaml,
  StageLocation,
  YamlValue
} from "@runbatch/spec"
import { Effect, Schema } from "effect"
import * as Yaml from "yaml"

/**
 * The engine of a version runbatch did not log (snowflake-ml-python's): none. Such a version is listed
 * and shown, and refused at plan time unless the job names an engine.
 */
export const NO_ENGINE = ""

/** One row of `SHOW FUNCTIONS IN MODEL … VERSION …` (other columns are ignored). */
export interface FunctionRowInput {
  readonly name: string
  readonly return_type?: string | null | undefined
}

/** The raw documents of a version, exactly as either backend receives them. */
export interface RawVersion {
  readonly modelSpecYaml: string
  readonly userDataJson: string
  /** Empty or absent: the functions are taken from the manifest, as the original does. */
  readonly functionRows?: ReadonlyArray<FunctionRowInput>
  /** Needed only when `functionRows` is empty. */
  readonly manifestYaml?: string
}

export interface ArtifactEntry {
  readonly name: string
  /** Inside the version folder, e.g. `model/artifacts/model.onnx`. */
  readonly path: string
  readonly bytes: number
  readonly sha256: string
}

export interface ParsedVersion {
  readonly engine: string
  readonly engineOptions: Readonly<Record<string, Json>>
  readonly functions: ReadonlyArray<ModelFunction.ModelFunction>
  readonly artifacts: ReadonlyArray<ArtifactEntry>
  readonly modelType: string
  /** The whole user data object (what `SHOW VERSIONS` shows in `user_data`). */
  readonly userData: Readonly<Record<string, Json>>
}

const ArtifactWire = Schema.Struct({
  name: Schema.String,
  path: Schema.String,
  bytes: Schema.Number,
  sha256: Schema.String
})

/** runbatch's part of a version's user data; other keys of `user_data` are left alone. */
export const RunbatchUserData = Schema.Struct({
  runbatch: Schema.Struct({
    engine: Schema.String,
    engine_options: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
    artifacts: Schema.optionalKey(Schema.Array(ArtifactWire))
  })
})

const ManifestMethod = Schema.Struct({
  name: Schema.String,
  type: Schema.Literals(["FUNCTION", "TABLE_FUNCTION"])
})
const Manifest = Schema.Struct({ methods: Schema.Array(ManifestMethod) })

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * How the original turns a SQL name from `SHOW FUNCTIONS` or the manifest into its stored form
 * (`SqlIdentifier(name)`): a quoted name keeps its case, an unquoted one is upper-cased.
 */
const storedName = (name: string): string => {
  const trimmed = name.trim()
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/""/g, '"')
  }
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(trimmed) ? trimmed.toUpperCase() : trimmed
}

/** A version's YAML document as plain data; an unreadable one is an InvalidModelVersion naming `what`. */
const parseYaml = (
  text: string,
  what: string,
  invalid: (reason: string) => InvalidModelVersion
): Effect.Effect<unknown, InvalidModelVersion> => {
  const doc = Yaml.parseDocument(text)
  if (doc.errors.length > 0)
    return Effect.fail(invalid(`${what} is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`))
  // Aliases that blow up or refer to themselves are refused as for every file users hand in.
  const plain = YamlValue.plainValue(doc)
  return "value" in plain ? Effect.succeed(plain.value) : Effect.fail(invalid(`${what}: ${plain.problem}`))
}

/** Read a version's description from its raw documents; every problem is an InvalidModelVersion. */
export const read = (
  raw: RawVersion,
  model: string,
  version: string
): Effect.Effect<ParsedVersion, InvalidModelVersion> =>
  Effect.gen(function* () {
    const invalid = (reason: string) => new InvalidModelVersion({ model, version, reason })

    const spec = yield* parseYaml(raw.modelSpecYaml, "its model spec (model.yaml)", invalid)
    if (!isRecord(spec)) return yield* invalid("its model spec (model.yaml) is not a mapping.")
    const signatures = yield* SignatureYaml.fromWire(spec).pipe(
      Effect.mapError((e) => invalid(`its model spec (model.yaml): ${e.message}`))
    )

    const userData = yield* Effect.try({
      try: () => JSON.parse(raw.userDataJson) as unknown,
      catch: (e) => invalid(`its user data is not JSON: ${(e as Error).message}`)
    })
    // A version logged by another tool (snowflake-ml-python) has no runbatch section at all: it is read
    // and shown with no engine, and the planner refuses to run it, saying why.
    if (isRecord(userData) && !Object.hasOwn(userData, "runbatch")) {
      return {
        engine: NO_ENGINE,
        engineOptions: {},
        functions: yield* functionsOf(raw, spec, signatures, invalid),
        artifacts: [],
        modelType: typeof spec["model_type"] === "string" ? spec["model_type"] : "unknown",
        userData: userData as Record<string, Json>
      }
    }
    const runbatch = yield* Schema.decodeUnknownEffect(RunbatchUserData)(userData).pipe(
      Effect.mapError((e) =>
        invalid(
          `its user data does not say which runbatch engine runs it ({"runbatch": {"engine": …}}): ${e.message}`
        )
      )
    )
    const artifacts: Array<ArtifactEntry> = []
    for (const artifact of runbatch.runbatch.artifacts ?? []) {
      const path = yield* StageLocation.normalisePath(artifact.path, artifact.path).pipe(
        Effect.mapError((e) => invalid(`the artifact ${artifact.name}: ${e.reason}`))
      )
      if (path === "") return yield* invalid(`the artifact ${artifact.name} has no path.`)
      artifacts.push({ ...artifact, path })
    }

    const functions = yield* functionsOf(raw, spec, signatures, invalid)
    return {
      engine: runbatch.runbatch.engine,
      engineOptions: (runbatch.runbatch.engine_options ?? {}) as Record<string, Json>,
      functions,
      artifacts,
      modelType: typeof spec["model_type"] === "string" ? spec["model_type"] : "unknown",
      userData: userData as Record<string, Json>
    }
  })

const functionsOf = (
  raw: RawVersion,
  spec: Record<string, unknown>,
  signatures: Readonly<Record<string, Signature.ModelSignature>>,
  invalid: (reason: string) => InvalidModelVersion
): Effect.Effect<ReadonlyArray<ModelFunction.ModelFunction>, InvalidModelVersion> =>
  Effect.gen(function* () {
    let sqlFunctions: Array<{ readonly name: string; readonly kind: ModelFunction.FunctionKind }> = (
      raw.functionRows ?? []
    ).map((row) => ({
      name: row.name,
      kind: (row.return_type ?? "").toUpperCase().includes("TABLE") ? "TABLE_FUNCTION" : "FUNCTION"
    }))
    if (sqlFunctions.length === 0) {
      if (raw.manifestYaml === undefined) {
        return yield* invalid(
          "SHOW FUNCTIONS lists no function and there is no MANIFEST.yml to read them from."
        )
      }
      const document = yield* parseYaml(raw.manifestYaml, "its MANIFEST.yml", invalid)
      const manifest = yield* Schema.decodeUnknownEffect(Manifest)(document).pipe(
        Effect.mapError((e) => invalid(`its MANIFEST.yml: ${e.message}`))
      )
      sqlFunctions = manifest.methods.map((m) => ({ name: storedName(m.name), kind: m.type }))
    }
    if (sqlFunctions.length === 0) return yield* invalid("it has no functions.")

    // Python method → SQL function: `"abc"` if it exists, else `ABC` (two methods `abc` and `aBc` can
    // only both resolve if at most one of them took the upper-case name).
    const names = sqlFunctions.map((f) => f.name)
    const methodOf = new Map<string, string>()
    for (const method of Object.keys(signatures)) {
      const sqlName = names.includes(method) ? method : method.toUpperCase()
      if (!names.includes(sqlName)) {
        return yield* invalid(
          `the method ${method} of its model spec has no SQL function (functions: ${names.join(", ")}).`
        )
      }
      methodOf.set(sqlName, method)
    }

    const properties = spec["function_properties"]
    const functions: Array<ModelFunction.ModelFunction> = []
    for (const fn of sqlFunctions) {
      const method = methodOf.get(fn.name)
      if (method === undefined) {
        return yield* invalid(`the function ${fn.name} has no signature in its model spec.`)
      }
      const partitioned =
        fn.kind === "TABLE_FUNCTION" &&
        (isRecord(properties)
          ? (() => {
              const own = Object.hasOwn(properties, method) ? properties[method] : undefined
              const flag = isRecord(own) ? own["PARTITIONED"] : undefined
              return typeof flag === "boolean" ? flag : true
            })()
          : true)
      functions.push({
        name: fn.name,
        targetMethod: method,
        kind: fn.kind,
        signature: signatures[method]!,
        partitioned
      })
    }
    return functions
  })
