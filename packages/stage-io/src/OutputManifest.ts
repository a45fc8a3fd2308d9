/**
 * The wire formats of an output folder: commit records (one per shard, write-once, the truth while a
 * job runs) and `_manifest.json` (the truth once it has finished). snake_case JSON.
 */
import { Wire } from "@runbatch/spec"
import { Schema } from "effect"

export const SchemaField = Schema.Struct({
  name: Schema.String,
  type: Schema.String,
  nullable: Schema.Boolean
})
export type SchemaField = typeof SchemaField.Type

/** One part file: what a shard's attempt wrote. */
export const PartInfo = Schema.Struct({
  name: Schema.String,
  shard: Schema.Number,
  attempt: Schema.Number,
  rows: Schema.Number,
  bytes: Schema.Number,
  sha256: Schema.String,
  /**
   * Rows of the part whose `_ERROR` is set (`on_error: record`): a resumed job's figures count the
   * errors of parts earlier attempts committed. Absent in records written before it was kept.
   */
  errors: Schema.optionalKey(Schema.Number)
})
export type PartInfo = typeof PartInfo.Type

export const CommitRecord = Wire.snakeKeys(
  Schema.Struct({
    part: PartInfo,
    schema: Schema.Array(SchemaField),
    committedAt: Schema.String
  })
)
export type CommitRecord = typeof CommitRecord.Type

export const FORMAT = "runbatch.output/1"

export const PluginInfo = Wire.snakeKeys(
  Schema.Struct({
    kind: Schema.String,
    id: Schema.String,
    packageName: Schema.String,
    version: Schema.String,
    integrity: Schema.String
  })
)

/** What the job tells the committer about itself, recorded in the manifest. */
export const JobInfo = Wire.snakeKeys(
  Schema.Struct({
    job: Schema.String,
    planFingerprint: Schema.String,
    runbatchVersion: Schema.String,
    startedAt: Schema.String,
    model: Schema.optionalKey(
      Schema.Struct({
        database: Schema.String,
        schema: Schema.String,
        name: Schema.String,
        version: Schema.String
      })
    ),
    function: Schema.optionalKey(Schema.String),
    plugins: Schema.Array(PluginInfo)
  })
)
export type JobInfo = typeof JobInfo.Type

export const OutputManifest = Wire.snakeKeys(
  Schema.Struct({
    format: Schema.Literal(FORMAT),
    jobInfo: JobInfo,
    finishedAt: Schema.String,
    schema: Schema.Array(SchemaField),
    rows: Schema.Number,
    bytes: Schema.Number,
    parts: Schema.Array(PartInfo)
  })
)
export type OutputManifest = typeof OutputManifest.Type

const encoder = new TextEncoder()

export const encodeJson = <S extends Schema.Codec<unknown, unknown>>(
  schema: S,
  value: S["Type"]
): Uint8Array => encoder.encode(`${JSON.stringify(Schema.encodeSync(schema)(value), null, 2)}\n`)
