/** Command lines: flags missing, malformed, unknown or combined wrongly. */
import { type Case, cli, runLine } from "../Case.ts"

export const flags: ReadonlyArray<Case> = [
  cli(
    "run-no-model",
    "run without --model",
    runLine({ "--model": undefined }),
    "UsageError",
    "--model is required"
  ),
  cli(
    "run-two-sources",
    "run with --table and --query",
    runLine({ "--query": "SELECT * FROM points" }),
    "UsageError",
    "give exactly one of --table, --query, --files and --parquet"
  ),
  cli(
    "run-no-source",
    "run without an input",
    runLine({ "--table": undefined }),
    "UsageError",
    "give exactly one of --table"
  ),
  cli(
    "run-pattern-with-table",
    "--pattern with --table",
    runLine({ "--pattern": ".*" }),
    "UsageError",
    "--pattern and --column go with --files"
  ),
  cli(
    "run-allow-empty-with-table",
    "--allow-empty with --table",
    runLine({}, ["--allow-empty"]),
    "UsageError",
    "--allow-empty goes with --files"
  ),
  cli(
    "run-files-pattern-matches-nothing",
    "--files with a --pattern no file matches",
    runLine({
      "--table": undefined,
      "--model": "BYTES",
      "--files": "@ML.PUBLIC.FILES/img/",
      "--pattern": ".*\\.jpg",
      "--column": "DATA",
      "--column-handling": "DATA=raw_bytes"
    }),
    "NoFilesMatched",
    "No files under '@ML.PUBLIC.FILES/img/' match",
    { realCli: true }
  ),
  cli(
    "run-replicas-word",
    "--replicas two",
    runLine({ "--replicas": "two" }),
    "UsageError",
    '--replicas must be a whole number, got "two"'
  ),
  cli(
    "run-workers-fraction",
    "--workers 1.5",
    runLine({ "--workers": "1.5" }),
    "UsageError",
    '--workers must be a whole number, got "1.5"'
  ),
  cli(
    "run-max-batch-rows-word",
    "--max-batch-rows lots",
    runLine({ "--max-batch-rows": "lots" }),
    "UsageError",
    '--max-batch-rows must be a whole number, got "lots"'
  ),
  cli(
    "run-replicas-zero",
    "--replicas 0",
    runLine({ "--replicas": "0" }),
    "InvalidSpec",
    "replicas must be a whole number of at least 1, got 0",
    {
      realCli: true
    }
  ),
  cli("run-workers-empty", '--workers ""', runLine({ "--workers": "" }), "InvalidSpec", "num_workers"),
  cli(
    "run-param-no-equals",
    "--param without =",
    runLine({}, ["--param", "temperature"]),
    "UsageError",
    '--param takes KEY=VALUE, got "temperature"'
  ),
  cli(
    "run-param-no-key",
    "--param =1",
    runLine({}, ["--param", "=1"]),
    "UsageError",
    '--param takes KEY=VALUE, got "=1"'
  ),
  cli(
    "run-engine-option-no-equals",
    "--engine-option without =",
    runLine({}, ["--engine-option", "weights"]),
    "UsageError",
    '--engine-option takes KEY=VALUE, got "weights"'
  ),
  cli(
    "run-column-handling-no-equals",
    "--column-handling without =",
    runLine({}, ["--column-handling", "X"]),
    "UsageError",
    '--column-handling takes KEY=VALUE, got "X"'
  ),
  cli(
    "run-unknown-flag",
    "an unknown flag (--replica)",
    runLine({}, ["--replica", "2"]),
    "UsageError",
    "--replica"
  ),
  cli("run-mode-append", "--mode append", runLine({ "--mode": "append" }), "InvalidSpec", "mode"),
  cli("run-on-error-skip", "--on-error skip", runLine({ "--on-error": "skip" }), "InvalidSpec", "onError"),
  cli(
    "run-output-and-base",
    "--output and --base-output together",
    runLine({ "--base-output": "@ML.PUBLIC.CORPUS/base/" }),
    "InvalidSpec",
    "mutually exclusive"
  ),
  cli(
    "run-output-dotdot",
    "--output climbing out of its stage",
    runLine({ "--output": "@ML.PUBLIC.CORPUS/../../etc/" }),
    "InvalidSpec",
    "contains '..'",
    { realCli: true }
  ),
  cli(
    "table-create-no-from",
    "table create without --from",
    ["table", "create", "T"],
    "UsageError",
    "--from FILE is required"
  ),
  cli(
    "table-create-txt",
    "table create from a .txt file",
    ["table", "create", "T", "--from", "{file:t.txt}"],
    "UsageError",
    '--from takes a .parquet, .csv, .csv.gz, .tsv or .tsv.gz file, got "',
    { files: { "t.txt": "a\n1\n" } }
  ),
  cli(
    "model-log-no-signature",
    "model log without --signature",
    ["model", "log", "--name", "M", "--version", "V1"],
    "UsageError",
    "--signature are required"
  ),
  cli(
    "model-log-no-engine",
    "model log without --engine or --onnx",
    ["model", "log", "--name", "M", "--version", "V1", "--signature", "{file:s.yaml}"],
    "UsageError",
    "--engine ID is required",
    {
      files: {
        "s.yaml": "predict: {inputs: [{name: x, type: DOUBLE}], outputs: [{name: y, type: DOUBLE}]}\n"
      }
    }
  ),
  cli(
    "jobs-status-no-job",
    "jobs status without a job",
    ["jobs", "status"],
    "UsageError",
    "missing the job id"
  ),
  cli(
    "jobs-ls-limit-word",
    "jobs ls --limit all",
    ["jobs", "ls", "--limit", "all"],
    "UsageError",
    '--limit must be a whole number, got "all"'
  ),
  cli(
    "stage-put-one-argument",
    "stage put with only a file",
    ["stage", "put", "{file:a.txt}"],
    "UsageError",
    "give one or more local files and a stage folder",
    {
      files: { "a.txt": "a" }
    }
  ),
  cli("sql-no-text", "sql without a query", ["sql"], "UsageError", "missing the SQL text"),
  cli(
    "results-bad-format",
    "results --format xml",
    ["results", "@ML.PUBLIC.DONE/out/", "--format", "xml"],
    "UsageError",
    "xml"
  )
]
