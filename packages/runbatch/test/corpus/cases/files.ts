/**
 * Rows that can only be found bad by reading them: image files cut short or empty, a file over the
 * read limit, paths that do not exist or would leave their stage, a value beyond its feature's type.
 * The job is accepted, fails at the first bad row with the row's error, and leaves no results.
 */
import { type Case, run } from "../Case.ts"

const rawBytes = (column: string) => ({
  columnHandling: { [column]: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } }
})

/** The IMAGES model (onnx, an 8×8 image's channel means) over one file of the FILES stage. */
const image = (id: string, input: string, file: string, message: string | RegExp): Case =>
  run(
    id,
    input,
    {
      model: "IMAGES",
      input: { kind: "files", location: `@ML.PUBLIC.FILES/img/${file}`, column: "IMAGE" },
      inputSpec: rawBytes("IMAGE")
    },
    "RowFailed",
    message,
    { runtime: true }
  )

/** The BYTES model (the test engine: a file's length) over a query's `data` column of paths. */
const path = (id: string, input: string, sql: string, message: string | RegExp): Case =>
  run(
    id,
    input,
    { model: "BYTES", input: { kind: "query", query: sql }, inputSpec: rawBytes("DATA") },
    "RowFailed",
    message,
    { runtime: true }
  )

export const fileCases: ReadonlyArray<Case> = [
  // Refused before anything is written: a folder with no file would make a job of no rows.
  {
    id: "files-folder-empty",
    input: "a files source whose folder holds no file",
    action: {
      via: "runBatch",
      options: {
        model: "BYTES",
        input: { kind: "files", location: "@ML.PUBLIC.FILES/nothing-here/", column: "DATA" },
        inputSpec: rawBytes("DATA")
      }
    },
    tag: "NoFilesMatched",
    message: "There are no files under '@ML.PUBLIC.FILES/nothing-here/'"
  },
  image(
    "image-truncated",
    "an image file cut off halfway",
    "truncated.png",
    /Row 0 of shard 0 .*failed: the image cannot be decoded.*truncated\.png/
  ),
  image(
    "image-zero-bytes",
    "an image file of zero bytes",
    "empty.png",
    /Row 0 of shard 0 .*failed: the image cannot be decoded.*empty\.png/
  ),
  path(
    "file-over-limit",
    "a file of 64 MiB + 1 byte, over the read limit",
    "SELECT '@ML.PUBLIC.FILES/big/huge.bin' AS data",
    "huge.bin"
  ),
  path(
    "file-missing",
    "a path to a file that does not exist",
    "SELECT '@ML.PUBLIC.FILES/img/gone.png' AS data",
    "gone.png"
  ),
  path(
    "file-path-escapes",
    "a path climbing out of its stage with ..",
    "SELECT '@ML.PUBLIC.FILES/../CORPUS/x' AS data",
    "'..'"
  ),
  path(
    "file-path-local",
    "a local filesystem path instead of a stage path",
    "SELECT '/etc/passwd' AS data",
    "/etc/passwd"
  ),
  run(
    "value-out-of-range",
    "300 for an INT8 feature",
    { model: "NARROW", input: { kind: "query", query: "SELECT 300::INTEGER AS small, 1.0::DOUBLE AS z" } },
    "RowFailed",
    'the value 300 in column "small" does not fit the feature "small" (INT8)',
    { runtime: true }
  )
]
