/** Identifiers and stage locations: malformed names, and paths that would leave their stage. */
import { Registry } from "../../../src/index.ts"
import { type Case, call, cli, run, runLine } from "../Case.ts"

const signature = "predict:\n  inputs: [{name: x, type: DOUBLE}]\n  outputs: [{name: y, type: DOUBLE}]\n"

export const identifiers: ReadonlyArray<Case> = [
  run(
    "model-name-space",
    "a model name with a space, unquoted",
    { model: "my model" },
    "InvalidIdentifier",
    "my model"
  ),
  run(
    "model-name-four-parts",
    "a model name of four parts",
    { model: "A.B.C.LINEAR" },
    "InvalidIdentifier",
    "A.B.C.LINEAR"
  ),
  run(
    "model-name-open-quote",
    "a model name with an unclosed quote",
    { model: '"LINEAR' },
    "InvalidIdentifier",
    "must end with a quote"
  ),
  run(
    "model-name-stray-quote",
    "a quoted model name with an undoubled quote inside",
    { model: '"LIN"EAR"' },
    "InvalidIdentifier",
    'must be doubled ("")'
  ),
  run(
    "model-name-too-long",
    "a model name of 256 characters",
    { model: "M".repeat(256) },
    "InvalidIdentifier",
    "longer than 255"
  ),
  run(
    "model-name-empty-part",
    "a model name with an empty part",
    { model: "ML..LINEAR" },
    "InvalidIdentifier",
    "ML..LINEAR"
  ),
  run(
    "model-name-nul",
    "a quoted model name holding NUL",
    { model: '"LIN\u0000EAR"' },
    "InvalidIdentifier",
    "NUL character"
  ),
  run(
    "model-name-starts-digit",
    "an unquoted model name starting with a digit",
    { model: "1LINEAR" },
    "InvalidIdentifier",
    "1LINEAR"
  ),
  run("version-space", "a version name with a space", { version: "v 1" }, "InvalidIdentifier", "v 1"),
  run("version-dash", "a version name with a dash", { version: "v-1" }, "InvalidIdentifier", "v-1"),
  run(
    "table-name-space",
    "an input table name with a space",
    { input: { kind: "table", table: "points table" } },
    "InvalidIdentifier",
    "points table"
  ),
  run(
    "table-name-four-parts",
    "an input table name of four parts",
    { input: { kind: "table", table: "A.ML.PUBLIC.POINTS" } },
    "InvalidIdentifier",
    "A.ML.PUBLIC.POINTS"
  ),
  cli(
    "cli-model-name-semicolon",
    "--model with a semicolon",
    runLine({ "--model": "LINEAR;DROP" }),
    "InvalidIdentifier",
    "LINEAR;DROP"
  ),
  cli(
    "table-create-bad-name",
    "table create with a name holding a space",
    ["table", "create", "new table", "--from", "{file:t.csv}"],
    "InvalidIdentifier",
    "new table",
    { files: { "t.csv": "a\n1\n" } }
  ),
  cli(
    "model-log-bad-name",
    "model log --name with a slash",
    [
      "model",
      "log",
      "--name",
      "a/b",
      "--version",
      "V1",
      "--engine",
      "test-linear",
      "--plugin",
      "{testEngine}",
      "--signature",
      "{file:s.yaml}"
    ],
    "InvalidIdentifier",
    "a/b",
    { files: { "s.yaml": signature } }
  ),
  cli(
    "model-log-bad-version",
    "model log --version with a dot",
    [
      "model",
      "log",
      "--name",
      "NEWMODEL",
      "--version",
      "1.0",
      "--engine",
      "test-linear",
      "--plugin",
      "{testEngine}",
      "--signature",
      "{file:s.yaml}"
    ],
    "InvalidIdentifier",
    "1.0",
    { files: { "s.yaml": signature } }
  ),
  call(
    "registry-bad-database",
    "a Registry scoped to a database name with a space",
    (session) => new Registry(session, { database: "my db" }).getModel("LINEAR"),
    "InvalidIdentifier",
    "my db"
  ),
  cli(
    "jobs-status-bad-name",
    "jobs status of a job name with a space",
    ["jobs", "status", "my job"],
    "InvalidIdentifier",
    "my job"
  ),
  cli(
    "table-ls-bad-schema",
    "table ls of a schema name of four parts",
    ["table", "ls", "A.B.C.D"],
    "InvalidIdentifier",
    "A.B.C.D"
  ),
  // A valid identifier (at most 255 characters) whose folder name would pass 255 bytes: refused before
  // anything is written, naming it, instead of the filesystem's ENAMETOOLONG.
  cli(
    "stage-name-too-long-as-folder",
    "stage put to a stage named with 60 non-ASCII characters (360 bytes as a folder name)",
    ["stage", "put", "{file:s.yaml}", `@"${"é".repeat(60)}"/x/`],
    "StageFileError",
    /takes 360 bytes as a file or folder name, which holds at most 255.*Choose a shorter name/,
    { files: { "s.yaml": signature } }
  ),
  cli(
    "model-name-too-long-as-folder",
    "model log of a model named with 60 non-ASCII characters",
    [
      "model",
      "log",
      "--name",
      `"${"é".repeat(60)}"`,
      "--version",
      "V1",
      "--engine",
      "test-linear",
      "--unchecked",
      "--signature",
      "{file:s.yaml}"
    ],
    "LocalFileError",
    `the name "${"é".repeat(60)}" takes 360 bytes`,
    { files: { "s.yaml": signature } }
  ),
  cli(
    "database-name-too-long-as-file",
    "table create in a database named with 60 non-ASCII characters",
    ["table", "create", `"${"é".repeat(60)}".PUBLIC.T`, "--from", "{file:t.csv}"],
    "SqlError",
    `the name "${"é".repeat(60)}" takes 367 bytes`,
    { realCli: true, files: { "t.csv": "x\n1\n" } }
  )
]

export const stageLocations: ReadonlyArray<Case> = [
  run(
    "output-no-at",
    "an output location without @",
    { outputSpec: { stageLocation: "results/out/" } },
    "InvalidSpec",
    "starts with @"
  ),
  run(
    "output-user-stage",
    "an output on the user stage written without a slash (@~out)",
    { outputSpec: { stageLocation: "@~out/" } },
    "InvalidSpec",
    "the user stage is written @~ followed by /"
  ),
  run(
    "output-table-stage",
    "an output on a table stage without a table (@%/out/)",
    { outputSpec: { stageLocation: "@%/out/" } },
    "InvalidSpec",
    "the table name after % is missing"
  ),
  run(
    "output-dotdot",
    "an output location climbing out with ..",
    { outputSpec: { stageLocation: "@ML.PUBLIC.CORPUS/../OTHER/" } },
    "InvalidSpec",
    "contains '..'"
  ),
  run(
    "output-percent-dotdot",
    "an output location with a percent-encoded ..",
    { outputSpec: { stageLocation: "@ML.PUBLIC.CORPUS/%2e%2E/x/" } },
    "InvalidSpec",
    "percent-encoded '..'"
  ),
  run(
    "output-percent-slash",
    "an output location with a percent-encoded slash",
    { outputSpec: { stageLocation: "@ML.PUBLIC.CORPUS/a%2fb/" } },
    "InvalidSpec",
    "a%2fb"
  ),
  run(
    "output-backslash",
    "an output location with a backslash",
    { outputSpec: { stageLocation: "@ML.PUBLIC.CORPUS/a\\b/" } },
    "InvalidSpec",
    "backslash"
  ),
  run(
    "output-control-char",
    "an output location with a newline",
    { outputSpec: { stageLocation: "@ML.PUBLIC.CORPUS/a\nb/" } },
    "InvalidSpec",
    "control character"
  ),
  run(
    "output-url",
    "an output location that is an s3:// URL",
    { outputSpec: { stageLocation: "s3://bucket/out/" } },
    "InvalidSpec",
    "URLs are not stage locations"
  ),
  run(
    "output-no-stage",
    "an output location without a stage name",
    { outputSpec: { stageLocation: "@/out/" } },
    "InvalidSpec",
    "stage name is missing"
  ),
  run(
    "output-four-parts",
    "an output stage name of four parts",
    { outputSpec: { stageLocation: "@A.ML.PUBLIC.CORPUS/out/" } },
    "InvalidSpec",
    "at most three parts"
  ),
  run(
    "base-output-dotdot",
    "a base output location climbing out with ..",
    { outputSpec: { baseStageLocation: "@ML.PUBLIC.CORPUS/a/../../x/" } },
    "InvalidSpec",
    "baseStageLocation"
  ),
  run(
    "base-output-job-name-dotdot",
    'a base output with a job named ".." (the job folder would be the base\'s parent)',
    { outputSpec: { baseStageLocation: "@ML.PUBLIC.CORPUS/base/" }, jobSpec: { jobName: '".."' } },
    "InvalidStageLocation",
    '".."'
  ),
  run(
    "base-output-job-name-dot",
    'a base output with a job named "." (the job folder would be the base itself)',
    { outputSpec: { baseStageLocation: "@ML.PUBLIC.CORPUS/base/" }, jobSpec: { jobName: '"."' } },
    "InvalidStageLocation",
    '"."'
  ),
  run(
    "base-output-job-name-slash",
    "a base output with a job name holding a slash (two folders deep)",
    { outputSpec: { baseStageLocation: "@ML.PUBLIC.CORPUS/base/" }, jobSpec: { jobName: '"a/b"' } },
    "InvalidStageLocation",
    '"a/b"'
  ),
  run(
    "files-empty-part",
    "a files source whose stage name has an empty part",
    { input: { kind: "files", location: "@ML..FILES/img/" } },
    "InvalidStageLocation",
    "@ML..FILES/img/"
  ),
  run(
    "base-output-job-name-backslash",
    "a base output with a job name holding a backslash",
    { outputSpec: { baseStageLocation: "@ML.PUBLIC.CORPUS/base/" }, jobSpec: { jobName: '"a\\b"' } },
    "InvalidStageLocation",
    'job name "a\\\\b"'
  ),
  run(
    "files-percent-dotdot",
    "a files source with a percent-encoded ..",
    { input: { kind: "files", location: "@ML.PUBLIC.FILES/%2E%2E/x/" } },
    "InvalidStageLocation",
    "%2E%2E"
  ),
  run(
    "parquet-user-stage",
    "a parquet source on the user stage climbing out with ..",
    { input: { kind: "parquet", location: "@~/../data/" } },
    "InvalidStageLocation",
    "@~/../data/"
  ),
  run(
    "files-bad-pattern",
    "a files source with a pattern that is not a regular expression",
    { input: { kind: "files", location: "@ML.PUBLIC.FILES/img/", pattern: "*.png" } },
    "InvalidStageLocation",
    "*.png"
  ),
  cli(
    "stage-ls-dotdot",
    "stage ls climbing out with ..",
    ["stage", "ls", "@ML.PUBLIC.FILES/../CORPUS/"],
    "InvalidStageLocation",
    "'..'"
  ),
  cli(
    "stage-put-backslash",
    "stage put to a location with a backslash",
    ["stage", "put", "{file:a.txt}", "@ML.PUBLIC.FILES/a\\b/"],
    "InvalidStageLocation",
    "backslash",
    { files: { "a.txt": "a" } }
  ),
  cli(
    "stage-get-url",
    "stage get of a file:// URL",
    ["stage", "get", "file:///etc/passwd", "{home}/inputs/got"],
    "InvalidStageLocation",
    "file:///etc/passwd"
  ),
  cli(
    "stage-rm-table-stage",
    "stage rm of a table stage with an empty quoted table name",
    ["stage", "rm", '@%""/x'],
    "InvalidStageLocation",
    "a quoted identifier cannot be empty"
  ),
  cli(
    "results-dotdot",
    "results of a location climbing out with ..",
    ["results", "@ML.PUBLIC.DONE/out/../../x/"],
    "InvalidStageLocation",
    "'..'"
  ),
  cli(
    "files-flag-nul",
    "--files with an encoded NUL",
    runLine({ "--table": undefined, "--files": "@ML.PUBLIC.FILES/a%00b/" }),
    "InvalidStageLocation",
    "a%00b"
  )
]
