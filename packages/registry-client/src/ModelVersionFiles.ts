/**
 * The files of a model version in Snowflake's layout, written by the local registry and read by one
 * reader that the Snowflake backend will feed from SQL (`SHOW VERSIONS … model_spec / user_data`,
 * `SHOW FUNCTIONS`) instead of files:
 *
 * - `MANIFEST.yml` — Snowflake's manifest: its methods (SQL name, FUNCTION or TABLE_FUNCTION, inputs
 *   and outputs as SQL types). runbatch runs no Python, so the `runtimes` entry is a placeholder.
 * - `model/model.yaml` — Snowflake's model spec, whose `signatures` map is exactly Snowflake's.
 * - `model/artifacts/<name>` — the files logged with the version (weights, vocabularies…).
 * - `user_data.json` — runbatch's own part: the engine, its options and the artifacts' checksums, as
 *   `SHOW VERSIONS` returns a version's `user_data`.
 * - `version.json` — the registry's bookkeeping (comment, metadata, creation time).
 */

import {
  InvalidModelVersion,
  type Json,
  type ModelFunction,
  type Signature,
  SignatureYaml
} from "@runbatch/spec"
import { Effect, Schema } from "effect"
import * as Yaml from "yaml"

export const MANIFEST = "MANIFEST.yml"
export const MODEL_SPEC = "model/model.yaml"
export const USER_DATA = "user_data.json"
export const VERSION_RECORD = "version.json"
export const ARTIFACTS = "model/artifacts"

const SPEC_VERSION = "2023-12-01"

/** The SQL type Snowflake's manifest gives a feature. */
const sqlType = (feature: Signature.Feature): string => {
  if ("specs" in feature) return feature.shape === undefined ? "OBJECT" : "ARRAY"
  if (feature.shape !== undefined) return "ARRAY"
  switch (feature.dtype) {
    case "FLOAT":
    case "DOUBLE":
      return "FLOAT"
    case "BOOL":
      return "BOOLEAN"
    case "STRING":
      return "TEXT"
    case "BYTES":
      return "BINARY"
    case "TIMESTAMP_NTZ":
      return "TIMESTAMP_NTZ"
    case "OBJECT":
      return "OBJECT"
    default:
      return "NUMBER"
  }
}

export interface VersionContent {
  readonly model: string
  readonly engine: string
  readonly engineOptions: Readonly<Record<string, Json>>
  readonly signatures: SignatureYaml.Signatures
  readonly functionKinds: Readonly<Record<string, ModelFunction.FunctionKind>>
  readonly artifacts: ReadonlyArray<{
    readonly name: string
    readonly bytes: number
    readonly sha256: string
  }>
  readonly comment: string | undefined
  readonly metadata: Readonly<Record<string, Json>>
  readonly createdOn: string
}

export const manifestYaml = (content: VersionContent): string =>
  Yaml.stringify(
    {
      manifest_version: "1.0",
      methods: Object.entries(content.signatures).map(([method, sig]) => {
        const kind = content.functionKinds[method] ?? "FUNCTION"
        return {
          name: method.toUpperCase(),
          runtime: "python_runtime",
          type: kind,
          handler: `functions.${method}.infer`,
          inputs: sig.inputs.map((f) => ({ name: f.name.toUpperCase(), type: sqlType(f) })),
          outputs:
            kind === "FUNCTION"
              ? [{ type: "OBJECT" }]
              : sig.outputs.map((f) => ({ name: f.name.toUpperCase(), type: sqlType(f) }))
        }
      }),
      runtimes: {
        python_runtime: {
          language: "PYTHON",
          version: "3.10",
          imports: ["model/"],
          dependencies: { conda: "runtimes/python_runtime/env/conda.yml" }
        }
      }
    },
    { lineWidth: 0 }
  )

export const modelSpecYaml = (content: VersionContent): string =>
  Yaml.stringify(
    {
      creation_timestamp: content.createdOn,
      function_properties: Object.fromEntries(
        Object.entries(content.functionKinds)
          .filter(([, kind]) => kind === "TABLE_FUNCTION")
          .map(([method]) => [method, { PARTITIONED: false }])
      ),
      metadata: content.metadata,
      min_snowpark_ml_version: "1.26.0",
      model_type: "runbatch",
      models: {
        [content.model]: {
          artifacts: Object.fromEntries(content.artifacts.map((a) => [a.name, `artifacts/${a.name}`])),
          handler_version: SPEC_VERSION,
          model_type: "runbatch",
          name: content.model,
          options: { engine: content.engine },
          path: "artifacts"
        }
      },
      name: content.model,
      signatures: SignatureYaml.toWire(content.signatures),
      version: SPEC_VERSION
    },
    { lineWidth: 0 }
  )

const ArtifactWire = Schema.Struct({
  name: Schema.String,
  path: Schema.String,
  bytes: Schema.Number,
  sha256: Schema.String
})

export const UserData = Schema.Struct({
  runbatch: Schema.Struct({
    engine: Schema.String,
    engine_options: Schema.Record(Schema.String, Schema.Unknown),
    artifacts: Schema.Array(ArtifactWire)
  })
})

export const userDataJson = (content: VersionContent): string =>
  `${JSON.stringify(
    {
      runbatch: {
        engine: content.engine,
        engine_options: content.engineOptions,
        artifacts: content.artifacts.map((a) => ({ ...a, path: `${ARTIFACTS}/${a.name}` }))
      }
    },
    null,
    2
  )}\n`

export const VersionRecord = Schema.Struct({
  comment: Schema.optionalKey(Schema.String),
  metadata: Schema.Record(Schema.String, Schema.Unknown),
  created_on: Schema.String
})

export const versionRecordJson = (content: VersionContent): string =>
  `${JSON.stringify(
    {
      ...(content.comment === undefined ? {} : { comment: content.comment }),
      metadata: content.metadata,
      created_on: content.createdOn
    },
    null,
    2
  )}\n`

const ManifestMethod = Schema.Struct({
  name: Schema.String,
  type: Schema.Literals(["FUNCTION", "TABLE_FUNCTION"]),
  handler: Schema.String
})
const Manifest = Schema.Struct({ methods: Schema.Array(ManifestMethod) })

/** The raw inputs a version is read from: files locally, SQL results on Snowflake. */
export interface RawVersion {
  readonly modelSpecYaml: string
  readonly userDataJson: string
  readonly manifestYaml: string
}

export interface ParsedVersion {
  readonly engine: string
  readonly engineOptions: Readonly<Record<string, Json>>
  readonly functions: ReadonlyArray<ModelFunction.ModelFunction>
  readonly artifacts: ReadonlyArray<{
    readonly name: string
    readonly path: string
    readonly bytes: number
    readonly sha256: string
  }>
}

/**
 * One reader for both backends: the version's functions come from the manifest's methods (SQL name and
 * kind; the handler `functions.<method>.infer` names the Python method) joined with the model spec's
 * signatures; the engine from the user data.
 */
export const readVersion = (
  raw: RawVersion,
  model: string,
  version: string
): Effect.Effect<ParsedVersion, InvalidModelVersion> =>
  Effect.gen(function* () {
    const invalid = (reason: string) => new InvalidModelVersion({ model, version, reason })
    const parse = (text: string, what: string) =>
      Effect.try({
        try: () => Yaml.parse(text) as unknown,
        catch: (e) => invalid(`${what} is not valid YAML: ${(e as Error).message}`)
      })
    const spec = yield* parse(raw.modelSpecYaml, "model/model.yaml")
    const signatures = yield* SignatureYaml.fromWire(spec).pipe(
      Effect.mapError((e) => invalid(`its signatures: ${e.message}`))
    )
    const manifest = yield* Effect.flatMap(parse(raw.manifestYaml, "MANIFEST.yml"), (value) =>
      Schema.decodeUnknownEffect(Manifest)(value).pipe(
        Effect.mapError((e) => invalid(`MANIFEST.yml: ${e.message}`))
      )
    )
    const userData = yield* Effect.try({
      try: () => JSON.parse(raw.userDataJson) as unknown,
      catch: (e) => invalid(`its user data is not JSON: ${(e as Error).message}`)
    }).pipe(
      Effect.flatMap((value) =>
        Schema.decodeUnknownEffect(UserData)(value).pipe(
          Effect.mapError((e) => invalid(`its user data has no runbatch engine: ${e.message}`))
        )
      )
    )
    const functions: Array<ModelFunction.ModelFunction> = []
    for (const method of manifest.methods) {
      const target = /^functions\.(.+)\.infer$/.exec(method.handler)?.[1] ?? method.name.toLowerCase()
      const signature =
        signatures[target] ?? Object.entries(signatures).find(([m]) => m.toUpperCase() === method.name)?.[1]
      if (signature === undefined)
        return yield* invalid(`the method ${method.name} has no signature in model.yaml.`)
      functions.push({ name: method.name, targetMethod: target, kind: method.type, signature })
    }
    return {
      engine: userData.runbatch.engine,
      engineOptions: userData.runbatch.engine_options as Record<string, Json>,
      functions,
      artifacts: userData.runbatch.artifacts
    }
  })
