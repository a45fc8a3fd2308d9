/**
 * The files of a model version in Snowflake's layout (`snow://model/DB.SCHEMA.MODEL/versions/V/`), as the
 * local registry writes them; `ModelVersionReader` reads them back, and will read the same documents
 * from SQL on Snowflake.
 *
 * - `MANIFEST.yml`: Snowflake's manifest (`model_manifest_schema.py`): `manifest_version: '1.0'`, one
 *   method per signature (SQL name, FUNCTION or TABLE_FUNCTION, inputs, outputs and params as SQL
 *   types), `runtimes`, and `user_data`, the section Snowflake shows as a version's `user_data`.
 *   Placeholders, since runbatch runs no Python: the `python_runtime` entry and each method's
 *   `handler` (no `functions/<method>.py` is written).
 * - `model/model.yaml`: Snowflake's model spec (`model_meta_schema.py`, version `2023-12-01`) with
 *   `signatures` exactly as Snowflake writes them. Placeholders: `env`, `min_snowpark_ml_version`,
 *   `task`, and the `models` entry (its `path` and `artifacts` are relative to `model/`).
 * - `model/artifacts/<name>`: the files logged with the version.
 * - `user_data.json`: the same `user_data` object, as JSON, for the local backend to read.
 * - `version.json`: the registry's bookkeeping (creation time, comment, metadata); written last, so
 *   a version folder without it is not a version.
 *
 * Keys are written sorted, as PyYAML's `safe_dump` writes them, so files diff cleanly against Snowflake's.
 */
import { type DataType, type Json, type ModelFunction, Signature, SignatureYaml } from "@runbatch/spec"
import { Schema } from "effect"
import * as Yaml from "yaml"

export const MANIFEST = "MANIFEST.yml"
export const MODEL_SPEC = "model/model.yaml"
export const ARTIFACTS = "model/artifacts"
export const USER_DATA = "user_data.json"
/** The version's bookkeeping, and the marker that the version is complete. */
export const VERSION_RECORD = "version.json"

const SPEC_VERSION = "2023-12-01"
/** Snowflake's `MODEL_METADATA_MIN_SNOWPARK_ML_VERSION`. */
const MIN_SNOWPARK_ML_VERSION = "1.0.12"
const RUNTIME = "python_runtime"

/** The SQL type Snowpark gives a DataType (`convert_sp_to_sf_type` of `DataType.as_snowpark_type()`). */
const SQL_TYPES: Readonly<Record<DataType.DataType, string>> = {
  INT8: "BYTEINT",
  INT16: "SMALLINT",
  INT32: "INT",
  INT64: "BIGINT",
  UINT8: "BYTEINT",
  UINT16: "SMALLINT",
  UINT32: "INT",
  UINT64: "BIGINT",
  FLOAT: "FLOAT",
  DOUBLE: "DOUBLE",
  BOOL: "BOOLEAN",
  STRING: "STRING",
  BYTES: "BINARY",
  TIMESTAMP_NTZ: "TIMESTAMP",
  OBJECT: "OBJECT"
}

/** Lists and tensors are ARRAYs, structs OBJECTs, scalars their own type. */
export const sqlType = (entry: Signature.Feature | Signature.Param): string => {
  if (entry.shape !== undefined) return "ARRAY"
  if ("specs" in entry) return "OBJECT"
  return SQL_TYPES[entry.dtype]
}

/** A name as the manifest stores it: upper-cased when it is a valid unquoted identifier. */
const sqlName = (name: string): string => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name.toUpperCase() : name)

/**
 * A Snowflake string literal: backslashes and quotes escaped, so the text stays one literal whatever it
 * holds (Snowflake reads a backslash inside single quotes as an escape).
 */
const stringLiteral = (text: string): string => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`

/** A param default as a SQL literal, the way snowflake-ml-python writes it into the manifest. */
export const sqlLiteral = (value: unknown): string => {
  if (value === null || value === undefined) return "NULL"
  if (typeof value === "boolean") return value ? "true" : "false"
  if (typeof value === "string") return stringLiteral(value)
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`
  if (typeof value === "object") {
    const parts = Object.entries(value).flatMap(([k, v]) => [stringLiteral(k), sqlLiteral(v)])
    return `OBJECT_CONSTRUCT_KEEP_NULL(${parts.join(", ")})`
  }
  return String(value)
}

// Lists are written with Python's str(list), whose strings SQL reads as string literals.
const pythonRepr = (value: unknown): string => {
  if (value === null || value === undefined) return "None"
  if (typeof value === "boolean") return value ? "True" : "False"
  // Python's repr of a string, as the manifest needs it, is the same escaped literal.
  if (typeof value === "string") return stringLiteral(value)
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`)
      .join(", ")}}`
  }
  return String(value)
}

export interface LoggedArtifact {
  readonly name: string
  readonly bytes: number
  readonly sha256: string
}

export interface VersionContent {
  readonly model: string
  readonly engine: string
  readonly engineOptions: Readonly<Record<string, Json>>
  readonly signatures: SignatureYaml.Signatures
  readonly functionKinds: Readonly<Record<string, ModelFunction.FunctionKind>>
  readonly artifacts: ReadonlyArray<LoggedArtifact>
  readonly comment: string | undefined
  readonly metadata: Readonly<Record<string, Json>>
  /** ISO 8601. */
  readonly createdOn: string
}

const kindOf = (content: VersionContent, method: string): ModelFunction.FunctionKind =>
  // An own key only: a method named `constructor` or `toString` is data, not Object's property.
  (Object.hasOwn(content.functionKinds, method) ? content.functionKinds[method] : undefined) ?? "FUNCTION"

export const artifactPath = (name: string): string => `${ARTIFACTS}/${name}`

/** The version's user data: `{"runbatch": {engine, engine_options, artifacts}}`. */
export const userData = (content: VersionContent) => ({
  runbatch: {
    engine: content.engine,
    engine_options: content.engineOptions,
    artifacts: content.artifacts.map((a) => ({
      name: a.name,
      path: artifactPath(a.name),
      bytes: a.bytes,
      sha256: a.sha256
    }))
  }
})

// No anchors: methods sharing one signature object are written out each in full (with sorted keys an
// anchor could land after its alias, which no reader resolves).
const yaml = (value: unknown): string =>
  Yaml.stringify(value, { lineWidth: 0, sortMapEntries: true, aliasDuplicateObjects: false })

export const manifestYaml = (content: VersionContent): string =>
  yaml({
    manifest_version: "1.0",
    methods: Object.entries(content.signatures).map(([method, sig]) => {
      const kind = kindOf(content, method)
      const field = (f: Signature.Feature) => ({ name: sqlName(f.name), type: sqlType(f) })
      return {
        handler: `functions.${method}.infer`,
        inputs: sig.inputs.map(field),
        name: method.toUpperCase(),
        // A FUNCTION returns one OBJECT per row; a TABLE_FUNCTION returns named columns.
        outputs: kind === "FUNCTION" ? [{ type: "OBJECT" }] : sig.outputs.map(field),
        ...(sig.params.length === 0
          ? {}
          : {
              params: sig.params.map((p) => ({
                default: sqlLiteral(Signature.defaultOf(p)),
                name: sqlName(p.name),
                type: sqlType(p)
              }))
            }),
        runtime: RUNTIME,
        type: kind
      }
    }),
    runtimes: {
      [RUNTIME]: { dependencies: {}, imports: ["model/"], language: "PYTHON", version: "3.10" }
    },
    user_data: userData(content)
  })

/** `2025-07-24 18:31:40.087360`, as Python's `str(datetime)` writes `creation_timestamp`. */
const pythonTimestamp = (iso: string): string => {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(iso)
  return match === null ? iso : `${match[1]} ${match[2]}.${(match[3] ?? "").padEnd(6, "0").slice(0, 6)}`
}

export const modelSpecYaml = (content: VersionContent): string =>
  yaml({
    creation_timestamp: pythonTimestamp(content.createdOn),
    env: { python_version: "3.10", snowpark_ml_version: "1.26.0" },
    // Non-partitioned table functions say so: Snowflake reads a missing PARTITIONED as true.
    function_properties: Object.fromEntries(
      Object.keys(content.signatures)
        .filter((method) => kindOf(content, method) === "TABLE_FUNCTION")
        .map((method) => [method, { PARTITIONED: false }])
    ),
    metadata: null,
    min_snowpark_ml_version: MIN_SNOWPARK_ML_VERSION,
    model_type: "runbatch",
    models: {
      [content.model]: {
        artifacts: Object.fromEntries(content.artifacts.map((a) => [a.name, `artifacts/${a.name}`])),
        function_properties: {},
        handler_version: SPEC_VERSION,
        model_type: "runbatch",
        name: content.model,
        options: { engine: content.engine },
        path: "artifacts"
      }
    },
    name: content.model,
    signatures: SignatureYaml.toWire(content.signatures),
    task: "UNKNOWN",
    version: SPEC_VERSION
  })

export const userDataJson = (content: VersionContent): string =>
  `${JSON.stringify(userData(content), null, 2)}\n`

export const VersionRecord = Schema.Struct({
  created_on: Schema.String,
  comment: Schema.optionalKey(Schema.String),
  metadata: Schema.Record(Schema.String, Schema.Unknown)
})
export type VersionRecord = typeof VersionRecord.Type

export const versionRecordJson = (content: VersionContent): string =>
  `${JSON.stringify(
    {
      created_on: content.createdOn,
      ...(content.comment === undefined ? {} : { comment: content.comment }),
      metadata: content.metadata
    },
    null,
    2
  )}\n`
