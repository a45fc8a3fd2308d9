/**
 * The plugin manifest: a code-free `runbatch` field in the plugin's package.json, read and checked by
 * the host before any plugin code runs.
 *
 * ```json
 * "runbatch": {
 *   "kind": "encoder",
 *   "id": "base64",
 *   "apiVersion": 1,
 *   "handles": [{ "inputFormat": "full_stage_path", "convertTo": "base64", "outputType": "STRING" }]
 * }
 * ```
 *
 * An encoder lists the `(inputFormat, convertTo)` pairs it serves and the type each produces. An
 * engine lists the function kinds it runs and any column handling it needs on a feature (an LLM engine
 * needs its `messages` feature resolved by a chat-messages encoder), so users never configure that.
 */
import { DataType, InvalidPluginManifest } from "@runbatch/spec"
import { Effect, Schema, SchemaIssue } from "effect"

const ID = /^[a-z0-9][a-z0-9._-]*$/

export const PluginId = Schema.String.check(
  Schema.makeFilter((id) =>
    ID.test(id)
      ? undefined
      : `must be lower case letters, digits, '.', '_' or '-' (e.g. "base64_data_url"), got "${id}"`
  )
)

export const EncoderHandle = Schema.Struct({
  inputFormat: PluginId,
  convertTo: PluginId,
  /** The signature type of the encoded column, e.g. BYTES for raw file contents. */
  outputType: DataType.DataType
})
export type EncoderHandle = typeof EncoderHandle.Type

export const EncoderManifest = Schema.Struct({
  kind: Schema.Literal("encoder"),
  id: PluginId,
  apiVersion: Schema.Int,
  description: Schema.optionalKey(Schema.String),
  handles: Schema.Array(EncoderHandle).check(Schema.isMinLength(1))
})
export type EncoderManifest = typeof EncoderManifest.Type

/** Column handling an engine needs on one of its features, applied without the user asking. */
export const EngineRequirement = Schema.Struct({
  feature: Schema.String,
  inputFormat: PluginId,
  convertTo: PluginId
})
export type EngineRequirement = typeof EngineRequirement.Type

export const EngineManifest = Schema.Struct({
  kind: Schema.Literal("engine"),
  id: PluginId,
  apiVersion: Schema.Int,
  description: Schema.optionalKey(Schema.String),
  handles: Schema.Struct({
    functionKinds: Schema.Array(Schema.Literals(["FUNCTION", "TABLE_FUNCTION"])).check(Schema.isMinLength(1)),
    requires: Schema.optionalKey(Schema.Array(EngineRequirement))
  })
})
export type EngineManifest = typeof EngineManifest.Type

export const PluginManifest = Schema.Union([EncoderManifest, EngineManifest])
export type PluginManifest = typeof PluginManifest.Type

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The manifest of a package, from its parsed package.json. */
export const fromPackageJson = (
  packageJson: unknown
): Effect.Effect<PluginManifest, InvalidPluginManifest> => {
  const pkg = (typeof packageJson === "object" && packageJson !== null ? packageJson : {}) as {
    readonly name?: unknown
    readonly runbatch?: unknown
  }
  const packageName = typeof pkg.name === "string" ? pkg.name : "(unnamed package)"
  if (pkg.runbatch === undefined) {
    return Effect.fail(
      new InvalidPluginManifest({ packageName, problems: ['its package.json has no "runbatch" field'] })
    )
  }
  const kind = (pkg.runbatch as { readonly kind?: unknown } | null)?.kind
  if (kind !== "engine" && kind !== "encoder") {
    return Effect.fail(
      new InvalidPluginManifest({
        packageName,
        problems: [`runbatch.kind: must be "encoder" or "engine", got ${JSON.stringify(kind)}`]
      })
    )
  }
  const schema: Schema.Decoder<PluginManifest> = kind === "engine" ? EngineManifest : EncoderManifest
  return Schema.decodeUnknownEffect(schema)(pkg.runbatch, { errors: "all" }).pipe(
    Effect.mapError(
      (error) =>
        new InvalidPluginManifest({
          packageName,
          problems: formatter(error.issue).issues.map(
            (i) => `${["runbatch", ...(i.path ?? []).map(String)].join(".")}: ${i.message}`
          )
        })
    )
  )
}
