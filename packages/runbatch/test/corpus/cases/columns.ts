/**
 * The input against the method's signature: missing and extra columns, types that cannot feed their
 * feature, column handling of file columns, and outputs that would collide with passed-through columns.
 */
import { type Case, cli, run, runLine } from "../Case.ts"

const query = (sql: string) => ({ input: { kind: "query" as const, query: sql } })
const files = "@ML.PUBLIC.FILES/img/"

export const columns: ReadonlyArray<Case> = [
  run(
    "missing-feature",
    "an input without the feature z",
    query("SELECT id, x FROM points"),
    "MissingFeatureColumn",
    'feature "z"'
  ),
  run(
    "missing-feature-closest",
    "an input whose z is spelt zz",
    query("SELECT id, x, z AS zz FROM points"),
    "MissingFeatureColumn",
    "zz"
  ),
  cli(
    "cli-missing-feature",
    "--query without the feature z",
    runLine({ "--table": undefined, "--query": "SELECT id, x FROM points" }),
    "MissingFeatureColumn",
    'feature "z"'
  ),
  run(
    "case-collision-columns",
    'an input with columns x and "X"',
    query('SELECT id, x, z, 1.0 AS "X" FROM points'),
    "CaseCollision",
    '"X"'
  ),
  run(
    "string-for-double",
    "x as text for a DOUBLE feature",
    query("SELECT id, CAST(x AS VARCHAR) AS x, z FROM points"),
    "IncompatibleColumnType",
    '"x" (STRING)'
  ),
  run(
    "bool-for-double",
    "x as a boolean for a DOUBLE feature",
    query("SELECT id, x > 1 AS x, z FROM points"),
    "IncompatibleColumnType",
    "(BOOL)"
  ),
  run(
    "list-for-scalar",
    "x as a list for a scalar feature",
    query("SELECT id, [x, x] AS x, z FROM points"),
    "IncompatibleColumnType",
    "The column holds lists but the feature is a single value"
  ),
  run(
    "double-for-int8",
    "a DOUBLE column for an INT8 feature",
    { model: "NARROW", ...query("SELECT x AS small, z FROM points") },
    "IncompatibleColumnType",
    "CAST(ROUND(col) AS TINYINT)"
  ),
  run(
    "wrong-fixed-length",
    "a DOUBLE[2] column for a FLOAT[3] feature",
    { model: "VEC", ...query("SELECT [x, z]::DOUBLE[2] AS v FROM points") },
    "IncompatibleColumnType",
    "Dimension 0 has length 2 but the feature needs 3"
  ),
  run(
    "scalar-for-list",
    "a scalar column for a FLOAT[3] feature",
    { model: "VEC", ...query("SELECT x AS v FROM points") },
    "IncompatibleColumnType",
    "The feature takes a list of shape [3]"
  ),
  run(
    "paths-without-column-handling",
    "stage paths for a BYTES feature without column handling",
    { model: "BYTES", input: { kind: "files", location: files, column: "DATA" } },
    "IncompatibleColumnType",
    "add column handling"
  ),
  run(
    "output-column-conflict",
    "an input column named like the output y",
    query("SELECT id, x, z, 0.0 AS y FROM points"),
    "OutputColumnConflict",
    'output "y"'
  ),
  run(
    "output-column-conflict-case",
    "an input column Y (the output y in another case)",
    query('SELECT id, x, z, 0.0 AS "Y" FROM points'),
    "OutputColumnConflict",
    '"Y"'
  ),
  run(
    "column-handling-unknown-column",
    "column_handling for a column the input lacks",
    {
      model: "BYTES",
      input: { kind: "files", location: files, column: "DATA" },
      inputSpec: { columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } }
    },
    "UnknownColumn",
    "IMAGE"
  ),
  run(
    "column-handling-numeric-column",
    "column_handling on a numeric column",
    { inputSpec: { columnHandling: { x: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } } },
    "IncompatibleColumnType",
    '"x" (DOUBLE)'
  ),
  run(
    "column-handling-unknown-convert",
    "column_handling convert_to jpeg_pixels (no such encoder)",
    {
      model: "BYTES",
      input: { kind: "files", location: files, column: "DATA" },
      inputSpec: { columnHandling: { DATA: { inputFormat: "full_stage_path", convertTo: "jpeg_pixels" } } }
    },
    "PluginNotFound",
    "jpeg_pixels"
  ),
  run(
    "column-handling-unknown-format",
    "column_handling input_format url",
    {
      model: "BYTES",
      input: { kind: "files", location: files, column: "DATA" },
      inputSpec: { columnHandling: { DATA: { inputFormat: "url", convertTo: "raw_bytes" } } }
    },
    "PluginNotFound",
    "input_format url"
  ),
  run(
    "column-handling-wrong-encoding",
    "column_handling base64 (text) for a BYTES feature",
    {
      model: "BYTES",
      input: { kind: "files", location: files, column: "DATA" },
      inputSpec: { columnHandling: { DATA: { inputFormat: "full_stage_path", convertTo: "base64" } } }
    },
    "IncompatibleColumnType",
    '"DATA" (STRING)'
  ),
  cli(
    "cli-column-handling-unknown",
    "--column-handling for a column the input lacks",
    runLine({}, ["--column-handling", "IMAGE=raw_bytes"]),
    "UnknownColumn",
    "IMAGE"
  ),
  run(
    "partition-column-unknown",
    "partition_column naming a column the input lacks, on a scalar function",
    { inputSpec: { partitionColumn: "REGION" } },
    "PartitionNotSupported",
    "partition_column is not supported for FUNCTION type methods"
  )
]
