/**
 * Every command of the CLI, in the order `runbatch --help` lists them: plain data (words, summary,
 * usage, options, details) that help, --version and usage errors read without loading anything, and
 * for each the module with what it does, imported only when the command runs.
 */
import type { Command } from "../Command.ts"

export const commands: ReadonlyArray<Command> = [
  {
    words: ["demo"],
    summary: "Build a demo account and run a tabular and an OCR job on it",
    usage: "[--rows N] [--images N]",
    options: {
      rows: {
        type: "string",
        value: "N",
        description: "rows of the demo table (default 1,000,000; first run only)"
      },
      images: { type: "string", value: "N", description: "text-line images (default 500; first run only)" }
    },
    details:
      "Everything lives in --home (default ./.runbatch) under the database DEMO; run it again to rerun the jobs.\n" +
      "Nothing is downloaded: the models are built in JavaScript or shipped in npm packages.",
    load: () => import("./demo.ts").then((m) => m.demo)
  },
  {
    words: ["run"],
    summary: "Run a model version over a table, a query or stage files as a job",
    usage:
      "--model M [--version V] (--table T | --query SQL | --files @S/path | --parquet @S/path) (--output @S/out/ | --base-output @S/base/) [options] | -f job.yaml",
    options: {
      file: {
        type: "string",
        short: "f",
        value: "FILE",
        description: "a job file (YAML or JSON; see docs/reference/job-file.md)"
      },
      model: {
        type: "string",
        value: "NAME",
        description: "the model: MODEL, SCHEMA.MODEL or DB.SCHEMA.MODEL"
      },
      version: { type: "string", value: "V", description: "its version (default: the default version)" },
      function: {
        type: "string",
        value: "NAME",
        description: "the method to run (required when there are several)"
      },
      table: { type: "string", value: "NAME", description: "input: every row of a table" },
      query: { type: "string", value: "SQL", description: "input: the rows of a query" },
      files: {
        type: "string",
        value: "@S/path",
        description: "input: one row per file under a stage folder"
      },
      parquet: { type: "string", value: "@S/path", description: "input: parquet files on a stage" },
      pattern: {
        type: "string",
        value: "RE",
        description: "with --files or --parquet: paths must match this regular expression"
      },
      column: {
        type: "string",
        value: "NAME",
        description: "with --files: the path column's name (default FILE_PATH)"
      },
      "allow-empty": {
        type: "boolean",
        description: "with --files: run even when no file matches (a job of no rows); else refused"
      },
      output: { type: "string", value: "@S/out/", description: "the exact output folder" },
      "base-output": {
        type: "string",
        value: "@S/base/",
        description: "a parent folder: results go to <base>/<job name>/"
      },
      mode: {
        type: "string",
        value: "MODE",
        description: "error (default: refuse a non-empty output) or overwrite"
      },
      param: {
        type: "string",
        multiple: true,
        value: "K=V",
        description: "a method param (JSON values: 0.2, true, [1,2])"
      },
      "column-handling": {
        type: "string",
        multiple: true,
        value: "COL=CONVERT_TO",
        description: "read the files a column names: raw_bytes, base64, base64_data_url, …"
      },
      replicas: { type: "string", value: "N", description: "replica processes sharing the job (default 1)" },
      workers: { type: "string", value: "N", description: "workers per replica (default: one per CPU)" },
      "max-batch-rows": {
        type: "string",
        value: "N",
        description: "rows per batch (default: the engine's choice)"
      },
      "max-batch-bytes": {
        type: "string",
        value: "N",
        description: "bytes of stage files a batch reads through column handling (default 16 MiB)"
      },
      "job-name": { type: "string", value: "NAME", description: "the job's name (NAME or DB.SCHEMA.NAME)" },
      "job-name-prefix": { type: "string", value: "PREFIX", description: "name the job <PREFIX>_<UUID>" },
      engine: { type: "string", value: "ID", description: "run with another engine than the version's" },
      "engine-option": {
        type: "string",
        multiple: true,
        value: "K=V",
        description: "an engine option for this job"
      },
      "on-error": {
        type: "string",
        value: "fail|record",
        description: "stop at the first bad row (default) or record it in _ERROR"
      },
      "strict-nulls": {
        type: "boolean",
        description:
          "a NULL in a feature the signature declares nullable: false fails its row (default: scored)"
      },
      "compute-pool": {
        type: "string",
        value: "POOL",
        description: "Snowflake compute pool (recorded locally)"
      },
      plugin: {
        type: "string",
        multiple: true,
        value: "PKG",
        description: "a plugin package to load (name or folder)"
      },
      wait: {
        type: "boolean",
        description: "wait for the job, with a progress bar on stderr; exit 1 unless it ends DONE"
      },
      "dry-run": {
        type: "boolean",
        description: "check everything, run a sample through the engine, estimate the time; write nothing"
      },
      "sample-rows": {
        type: "string",
        value: "N",
        description: "with --dry-run: input rows in the sample (default 1000)"
      }
    },
    details:
      "Everything is checked before anything is written: a refused job exits 2 and leaves no files.\n" +
      "--dry-run stops after the checks, runs a sample here and prints the plan and an estimate (exit 1\n" +
      "when a sample row failed and the job would fail).\n" +
      "Example: runbatch run --model ML.PUBLIC.GBDT --table ML.PUBLIC.SAMPLES --output @ML.PUBLIC.RESULTS/gbdt/ --wait",
    load: () => import("./run.ts").then((m) => m.run),
    // A dry run reads the account's data and writes nothing: it runs on Snowflake too.
    dataRun: {
      when: (args) => args.values["dry-run"] === true,
      load: () => import("./run.ts").then((m) => m.dryRunJob)
    }
  },
  {
    words: ["jobs", "ls"],
    summary: "List jobs, newest first",
    usage: "[--limit N]",
    options: {
      limit: { type: "string", value: "N", description: "at most N jobs (default 10; 0 for all)" }
    },
    details:
      "With the global --database (and --schema), only the jobs of that database (and schema). The id column is the qualified name the other jobs commands take.",
    load: () => import("./jobs.ts").then((m) => m.jobsList)
  },
  {
    words: ["jobs", "status"],
    summary: "A job's status, message and progress",
    usage: "JOB",
    options: {},
    load: () => import("./jobs.ts").then((m) => m.jobsStatus)
  },
  {
    words: ["jobs", "wait"],
    summary: "Wait for a job to end (progress on stderr); exit 1 unless it ends DONE",
    usage: "JOB [--timeout SECONDS]",
    options: {
      timeout: { type: "string", value: "S", description: "give up after S seconds (JobTimeout, exit 1)" }
    },
    load: () => import("./jobs.ts").then((m) => m.jobsWait)
  },
  {
    words: ["jobs", "logs"],
    summary:
      "A replica's log (stdout and stderr), one `TIME LEVEL message` line per entry; --json for the records",
    usage: "JOB [--instance N] [--limit N]",
    options: {
      instance: { type: "string", value: "N", description: "which replica (default 0, the head instance)" },
      limit: { type: "string", value: "N", description: "only the last N lines" }
    },
    load: () => import("./jobs.ts").then((m) => m.jobsLogs)
  },
  {
    words: ["jobs", "cancel"],
    summary: "Stop a running job (it ends CANCELLED, never with _SUCCESS)",
    usage: "JOB [--wait]",
    options: { wait: { type: "boolean", description: "return once the job has stopped" } },
    load: () => import("./jobs.ts").then((m) => m.jobsCancel)
  },
  {
    words: ["jobs", "resume"],
    summary: "Run a FAILED or CANCELLED job again: only its uncommitted shards (refused if anything changed)",
    usage: "JOB [--wait]",
    options: {
      wait: { type: "boolean", description: "wait for it, with a progress bar; exit 1 unless it ends DONE" }
    },
    details:
      "The plan, the plugins, the model version's files and the staged input must be as they were; otherwise\n" +
      "the job is refused (ResumeRefused) and must run again as a new job.",
    load: () => import("./jobs.ts").then((m) => m.jobsResume)
  },
  {
    words: ["jobs", "rm"],
    summary: "Delete a job and its logs (stopping it first); its output is left alone",
    usage: "JOB",
    options: {},
    load: () => import("./jobs.ts").then((m) => m.jobsRemove)
  },
  {
    words: ["results"],
    summary: "Print or export a finished job's results (checked against its manifest)",
    usage:
      "@DB.SCHEMA.STAGE/out/ [--limit N] [--format table|json|csv] [--output FILE [--force]] [--allow-incomplete]",
    options: {
      limit: {
        type: "string",
        value: "N",
        description: "rows to print (default: 20 for a table, all for csv and json; 0 for all)"
      },
      format: { type: "string", value: "FORMAT", description: "table (default), json or csv" },
      output: {
        type: "string",
        value: "FILE",
        description: "export into a new file, which appears only once complete (csv; json for *.json)"
      },
      force: { type: "boolean", description: "with --output: replace the file if it exists" },
      "allow-incomplete": {
        type: "boolean",
        description: "read the parts of a job that has not finished (no _SUCCESS) anyway"
      }
    },
    details:
      "csv and json stream every row (or --limit N), row group by row group, at the pace of their reader: any size\n" +
      "of results in bounded memory. Each part is checked against the manifest before its rows go out; a part that\n" +
      "fails stops the export with ResultsCorrupt and exit code 1 after the rows of the parts before it (--output\n" +
      "then leaves no file).\n" +
      "Example: runbatch results @ML.PUBLIC.RESULTS/wine/ --output wine.csv",
    needs: "stages",
    load: () => import("./results.ts").then((m) => m.results)
  },
  {
    words: ["model", "log"],
    summary: "Log a model version into the registry",
    usage:
      "--name N --version V --signature FILE.yaml [--onnx FILE] [--artifact FILE]... [--engine ID] [--options FILE.yaml] [--comment TEXT] [--plugin PKG]... [--unchecked]",
    options: {
      name: {
        type: "string",
        value: "NAME",
        description: "the model: MODEL, SCHEMA.MODEL or DB.SCHEMA.MODEL"
      },
      version: {
        type: "string",
        value: "V",
        description: "the new version's name (versions never change once logged)"
      },
      signature: {
        type: "string",
        value: "FILE",
        description: "YAML or JSON: method name → {inputs, outputs, params} (or a whole model.yaml)"
      },
      onnx: {
        type: "string",
        value: "FILE",
        description: "the ONNX graph, logged as model.onnx (engine onnx)"
      },
      artifact: {
        type: "string",
        multiple: true,
        value: "FILE",
        description: "another file to keep with the version"
      },
      engine: {
        type: "string",
        value: "ID",
        description: "the engine plugin that runs it (default onnx with --onnx)"
      },
      options: {
        type: "string",
        value: "FILE",
        description: "YAML or JSON engine options stored with the version"
      },
      comment: { type: "string", value: "TEXT", description: "the version's comment" },
      plugin: {
        type: "string",
        multiple: true,
        value: "PKG",
        description: "the engine's plugin package, when it is not a first-party one (name or folder)"
      },
      unchecked: {
        type: "boolean",
        description: "log it without the engine's check (e.g. its engine is not installed here)"
      }
    },
    details:
      "Before anything is written, the engine checks the version as a run would (for onnx: the file is an ONNX graph, the options decode, the signature binds to it); an engine that is not installed here is refused unless --plugin names its package or --unchecked is given. HTTP engines (custom-http, vllm) need no artifact: their options say where the model runs.",
    needs: "data",
    load: () => import("./model.ts").then((m) => m.modelLog)
  },
  {
    words: ["model", "ls"],
    summary: "List the models of the registry's schema",
    usage: "",
    options: {},
    needs: "data",
    load: () => import("./model.ts").then((m) => m.modelList)
  },
  {
    words: ["model", "show"],
    summary: "Show a model's versions, or one version's functions, signature and files",
    usage: "NAME [--version V]",
    options: {
      version: { type: "string", value: "V", description: "one version (name, DEFAULT, FIRST or LAST)" }
    },
    needs: "data",
    load: () => import("./model.ts").then((m) => m.modelShow)
  },
  {
    words: ["model", "default"],
    summary: "Make a version the model's default (what DEFAULT names, and what a job runs when given none)",
    usage: "NAME VERSION",
    options: {},
    needs: "data",
    load: () => import("./model.ts").then((m) => m.modelDefault)
  },
  {
    words: ["model", "rm"],
    summary: "Remove a model version, or a model with all its versions",
    usage: "NAME --version V | NAME --all",
    options: {
      version: { type: "string", value: "V", description: "the version to remove" },
      all: { type: "boolean", description: "remove the model and every version" }
    },
    details:
      "The default version is not removed while others remain: make another the default first (runbatch model default).\n" +
      "Removing a model's only version removes the model.",
    needs: "data",
    load: () => import("./model.ts").then((m) => m.modelRemove)
  },
  {
    words: ["sql"],
    summary:
      "Run SQL on the account (or on Snowflake with --connection): a query prints its rows, a statement runs",
    usage: '"<query>" [--limit N] [--format table|json|csv] [--output FILE [--force]]',
    options: {
      limit: {
        type: "string",
        value: "N",
        description: "rows to print (default 100, with --output all; 0 for all)"
      },
      format: { type: "string", value: "FORMAT", description: "table (default), json or csv" },
      output: {
        type: "string",
        value: "FILE",
        description: "export into a new file, which appears only once complete (csv; json for *.json)"
      },
      force: { type: "boolean", description: "with --output: replace the file if it exists" }
    },
    details:
      "Names follow Snowflake's rules (unquoted names are upper-cased) and resolve against --database and --schema.\n" +
      "csv and json stream the query's rows back (the query runs to its end, or to --limit, first),\n" +
      "at the pace of their reader: a result of any size in bounded memory.\n" +
      'Example: runbatch sql "SELECT * FROM ML.PUBLIC.SAMPLES" --output samples.csv\n' +
      'On Snowflake: runbatch --connection dev sql "SHOW TABLES"',
    needs: "data",
    load: () => import("./sql.ts").then((m) => m.sql)
  },
  {
    words: ["table", "create"],
    summary: "Create a table from a local parquet, CSV or TSV file",
    usage:
      "NAME --from FILE.parquet|FILE.csv|FILE.csv.gz|FILE.tsv [--delimiter C] [--null-string S]... [--decimal-comma] [--header|--no-header] [--replace]",
    options: {
      from: {
        type: "string",
        value: "FILE",
        description: "a .parquet, .csv, .csv.gz, .tsv or .tsv.gz file (CSV: dialect and header detected)"
      },
      delimiter: {
        type: "string",
        value: "C",
        description: "CSV: the field delimiter, one character (default: a tab for .tsv, else detected)"
      },
      "null-string": {
        type: "string",
        multiple: true,
        value: "S",
        description:
          "CSV: a string read as NULL, besides an empty field (repeatable: --null-string NA --null-string n/a)"
      },
      "decimal-comma": {
        type: "boolean",
        description: "CSV: numbers are written with a decimal comma (4,5)"
      },
      header: { type: "boolean", description: "CSV: the first line names the columns (default: detected)" },
      "no-header": {
        type: "boolean",
        description: "CSV: the first line is data (columns are named column0, column1, …)"
      },
      replace: { type: "boolean", description: "replace an existing table of that name" }
    },
    details:
      "Example: runbatch table create SAMPLES --from samples.csv --delimiter ';' --decimal-comma --null-string NA",
    needs: "data",
    load: () => import("./table.ts").then((m) => m.tableCreate)
  },
  {
    words: ["table", "ls"],
    summary: "List the tables of a schema",
    usage: "[SCHEMA]",
    options: {},
    needs: "data",
    load: () => import("./table.ts").then((m) => m.tableList)
  },
  {
    words: ["table", "drop"],
    summary: "Drop a table or view",
    usage: "NAME [--if-exists]",
    options: {
      "if-exists": { type: "boolean", description: "succeed when there is no such table (exit 0)" }
    },
    details: "Without --if-exists a missing table is TableNotFound (exit code 2), with the closest names.",
    needs: "data",
    load: () => import("./table.ts").then((m) => m.tableDrop)
  },
  {
    words: ["stage", "put"],
    summary: "Copy local files (or folders, recursively) onto a stage, write-once",
    usage: "LOCAL... @DB.SCHEMA.STAGE/path/",
    options: {},
    details:
      "A file already on the stage is never overwritten: it is skipped and listed (with (differs from …) when its\n" +
      "content is not the local file's), and the rest are put. Remove it first to replace it (runbatch stage rm).",
    needs: "data",
    load: () => import("./stage.ts").then((m) => m.stagePut)
  },
  {
    words: ["stage", "ls"],
    summary: "List the files under a stage location",
    usage: "@DB.SCHEMA.STAGE/path [--pattern RE]",
    options: {
      pattern: {
        type: "string",
        value: "RE",
        description: "a regular expression the whole path must match (as LIST … PATTERN)"
      }
    },
    needs: "data",
    load: () => import("./stage.ts").then((m) => m.stageList)
  },
  {
    words: ["stage", "get"],
    summary: "Copy stage files to a local folder",
    usage: "@DB.SCHEMA.STAGE/path LOCAL_DIR [--pattern RE]",
    options: {
      pattern: { type: "string", value: "RE", description: "only files whose path matches" }
    },
    needs: "data",
    load: () => import("./stage.ts").then((m) => m.stageGet)
  },
  {
    words: ["stage", "rm"],
    summary: "Remove the files under a stage location",
    usage: "@DB.SCHEMA.STAGE/path",
    options: {},
    details:
      "Prefix semantics as LIST: @S/out removes out/… and out2/…; @S/out/ removes out/… only. Refused (OutputClaimed, exit 2) while a running job's output folder lies in what it would remove, or holds it.",
    needs: "data",
    load: () => import("./stage.ts").then((m) => m.stageRemove)
  },
  {
    words: ["emulator"],
    summary: "Serve the local account as a Snowflake account to snowflake-sdk (and runbatch --connection)",
    usage:
      "[--port N] [--port-file FILE] [--query-log FILE] [--password P] [--public-key FILE] [--host H] [--require-warehouse]",
    options: {
      port: { type: "string", value: "N", description: "port to listen on (default 0: a free one, printed)" },
      "port-file": {
        type: "string",
        value: "FILE",
        description: "write the port there once listening (for scripts and CI)"
      },
      "query-log": {
        type: "string",
        value: "FILE",
        description: "append one JSON line per statement (secrets redacted)"
      },
      password: {
        type: "string",
        value: "P",
        description: "every user's password (default $RUNBATCH_EMULATOR_PASSWORD, else runbatch)"
      },
      "public-key": {
        type: "string",
        value: "FILE",
        description: "an RSA public key (PEM) any user may sign key-pair logins with"
      },
      host: {
        type: "string",
        value: "H",
        description: "interface to listen on (default 127.0.0.1; another exposes the account to that network)"
      },
      "require-warehouse": {
        type: "boolean",
        description:
          "sessions start without a warehouse; queries and DML fail with 000606 until USE WAREHOUSE (as Snowflake)"
      }
    },
    details:
      "Serves --home until interrupted (Ctrl-C): SQL runs on its DuckDB files, stages are its folders, PUT and GET go\n" +
      "through snowflake-sdk's LOCAL_FS stage type (client and emulator share a filesystem). It prints the URL, the\n" +
      'account name and a connections.toml entry. See docs/snowflake.md, "The emulator".',
    load: () => import("./emulator.ts").then((m) => m.emulator)
  },
  {
    words: ["emulator", "token"],
    summary: "Mint an OAuth or programmatic access token the emulator of --home accepts",
    usage: "--user NAME [--kind oauth|pat] [--ttl SECONDS]",
    options: {
      user: { type: "string", value: "NAME", description: "the user the token logs in as" },
      kind: {
        type: "string",
        value: "oauth|pat",
        description: "OAUTH or PROGRAMMATIC_ACCESS_TOKEN logins (default oauth)"
      },
      ttl: { type: "string", value: "SECONDS", description: "how long it is valid (default 3600)" }
    },
    details: "Only the token's hash is kept (in --home's emulator/tokens.json); the token is printed once.",
    load: () => import("./emulator.ts").then((m) => m.emulatorToken)
  }
]
