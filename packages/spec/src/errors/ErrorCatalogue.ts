/**
 * Every typed error runbatch reports, with what it means and how to fix it. `docs/reference/errors.md`
 * is rendered from this list (`npm run docs:errors`) and a test keeps the two in step, and another that
 * every error class exported by the packages is listed here.
 */

export interface ErrorDoc {
  readonly tag: string
  /** Which part of runbatch raises it. */
  readonly area: string
  /** What happened. */
  readonly summary: string
  /** How to fix it. */
  readonly fix: string
}

export const ERROR_CATALOGUE: ReadonlyArray<ErrorDoc> = [
  {
    tag: "InvalidIdentifier",
    area: "Names and locations",
    summary:
      "A database, schema, table, stage, model, version, job or warehouse name is not a valid Snowflake identifier.",
    fix: 'Unquoted names start with a letter or underscore and hold letters, digits, `_` and `$` (they are stored upper-cased). Quote a name (`"my name"`) to keep lower case or other characters; double a quote inside quotes (`""`). Qualify with at most three parts: `DB.SCHEMA.NAME`.'
  },
  {
    tag: "InvalidStageLocation",
    area: "Names and locations",
    summary:
      "A stage location is malformed, names a user or table stage, or its path could leave the stage (`..`, percent-encoded dots, backslashes, NUL or control characters).",
    fix: "Write `@DB.SCHEMA.STAGE/path` (or `@STAGE/path` with a current database and schema), use forward slashes, and name files inside the stage only."
  },
  {
    tag: "InvalidSpec",
    area: "Specs",
    summary:
      "An InputSpec, OutputSpec, JobSpec or the inference engine options break a rule: a wrong type, an unknown field, two fields that exclude each other, or a count of 0.",
    fix: "Each problem names the field and the rule. Remove one of two exclusive fields (stage_location / base_stage_location, job_name / job_name_prefix), leave a count out instead of passing 0, and check spelling against the job file reference."
  },
  {
    tag: "InvalidJobFile",
    area: "Specs",
    summary: "A job file is not valid YAML/JSON, or does not describe a job.",
    fix: "Each problem gives the line (syntax) or the field (content). See docs/reference/job-file.md for every field."
  },
  {
    tag: "InvalidJobPlan",
    area: "Specs",
    summary:
      "A job's `plan.json` cannot be read: written by an incompatible runbatch version, or edited or damaged after it was written.",
    fix: "Run the job again from the client with the same runbatch version as its replicas; never edit plan.json by hand."
  },
  {
    tag: "InvalidSignature",
    area: "Model signatures",
    summary:
      "A model signature is malformed: an empty feature group, a duplicate name, a param colliding with an input, a bad shape, or a default value that does not fit its type.",
    fix: "Fix the signature YAML (or the signature objects) named in the message and log the model version again."
  },
  {
    tag: "MissingFeatureColumn",
    area: "Input matching",
    summary:
      "A feature of the model's signature has no input column of the same name (compared case-insensitively).",
    fix: "Rename or alias the column in the input query (`SELECT col AS feature_name`); the message lists the closest column names."
  },
  {
    tag: "AmbiguousColumn",
    area: "Input matching",
    summary:
      "Two or more input columns differ only by case, so a feature or a named column matches more than one.",
    fix: "Rename or drop all but one of the columns; matching is case-insensitive."
  },
  {
    tag: "UnknownColumn",
    area: "Input matching",
    summary: "Column handling or the partition column names a column that is not in the input.",
    fix: "Use a column of the input (the message suggests the closest), or add it to the input query."
  },
  {
    tag: "IncompatibleColumnType",
    area: "Input matching",
    summary:
      "An input column's type cannot feed its feature: strings for numbers, numbers for booleans, floats for integers, lists for scalars, a wrong fixed length.",
    fix: "Cast or reshape the column in the input query as the message shows, or add column handling for file paths."
  },
  {
    tag: "OutputColumnConflict",
    area: "Input matching",
    summary:
      "A model output has the same name as an input column; results keep every input column beside the outputs.",
    fix: "Rename the input column in the query, or leave it out."
  },
  {
    tag: "ParamsNotAccepted",
    area: "Params",
    summary: "Params were given, but the target method declares none.",
    fix: "Remove `input_spec.params`, or log the model with ParamSpecs."
  },
  {
    tag: "DuplicateParams",
    area: "Params",
    summary: "Two param names differ only by case; param names are case-insensitive.",
    fix: "Keep one of each."
  },
  {
    tag: "UnknownParams",
    area: "Params",
    summary: "A param name is not declared by the method's signature.",
    fix: "Use one of the valid names listed in the message (the closest is suggested)."
  },
  {
    tag: "InvalidParamValue",
    area: "Params",
    summary:
      'A param value does not match its dtype (no silent conversion: `"100"` is not an int, `true` is not an int), its shape, or its dict keys.',
    fix: "Pass a value of the declared type and shape; dict params take only declared keys."
  },
  {
    tag: "FunctionNotFound",
    area: "Models",
    summary: "The named function does not exist in the model version.",
    fix: "Use one of the functions the message lists (`runbatch model show NAME --version V`)."
  },
  {
    tag: "FunctionNotSpecified",
    area: "Models",
    summary: "The model version has more than one function and the job named none.",
    fix: "Set `job_spec.function_name` (`--function`)."
  },
  {
    tag: "PartitionNotSupported",
    area: "Models",
    summary:
      "Partitioned inference was asked for a scalar function, for a model whose outputs repeat the partition column, or with no installed engine able to run table functions.",
    fix: "Remove `partition_column`, or use a TABLE_FUNCTION method with an engine that runs table functions."
  },
  {
    tag: "EnginePrepareError",
    area: "Plugins",
    summary:
      "An engine's plan-time check refused the model, its options or the params — when a job is planned (nothing was started) or when `model log` checks a version (nothing was logged).",
    fix: "Follow the engine's message; docs/plugins lists each engine's requirements."
  },
  {
    tag: "InvalidPluginManifest",
    area: "Plugins",
    summary:
      "A package named as a plugin has no `runbatch` field in its package.json, or the field is malformed (kind, id, apiVersion, handles).",
    fix: "Fix the plugin's package.json as docs/plugins/authoring.md shows, or install the right package."
  },
  {
    tag: "PluginNotFound",
    area: "Plugins",
    summary:
      "No installed plugin serves what the job needs: an engine id, a column-handling pair (input format, convert to), or a package from the plugins list.",
    fix: 'Install the package the message names (`npm install @runbatch/engine-onnx`), or fix the id or pair; the message lists what is installed. A plugin package that is installed but not listed is named: list it with `--plugin <package>` on the command line or `plugins: ["<package>"]` in runBatch\'s options.'
  },
  {
    tag: "IncompatiblePlugin",
    area: "Plugins",
    summary:
      "A plugin was written for another plugin API version, its default export does not match its manifest, or it is not the version a job's plan recorded.",
    fix: "Install a plugin version built for this runbatch (its `runbatch.apiVersion` and `@runbatch/plugin-api` peer range), or rerun the job with the plugins installed now."
  },
  {
    tag: "DuplicateDependency",
    area: "Installation",
    summary:
      "The app holds two copies of a library whose objects cross runbatch's packages (effect, apache-arrow, @runbatch/spec, @runbatch/plugin-api), so what one copy makes the other would not recognise. runbatch refuses to load, or to load the plugin that would bring the second copy.",
    fix: 'The message names both copies and who uses each. Install one version for the whole app: make every @runbatch package (and plugin) the same version and run `npm dedupe`, or pin one with `"overrides": { "effect": "<version>" }` in your package.json and install again. `npm ls effect` shows who asks for which.'
  },
  {
    tag: "DuplicatePluginId",
    area: "Plugins",
    summary: "Two installed plugins claim the same id.",
    fix: "Keep one of them in the plugins list."
  },
  {
    tag: "PluginBatchError",
    area: "Plugins",
    summary:
      "An encoder or engine failed a whole batch. Retryable failures are retried with backoff before the job fails.",
    fix: "Read the cause in the message and the replica log (`runbatch jobs logs JOB`); for HTTP engines check the server and its limits."
  },
  {
    tag: "SqlError",
    area: "Session",
    summary:
      "A SQL statement failed in the session's engine (DuckDB in the embedded account): refused (a syntax error, an unknown table, column or function — `refused: true`, CLI exit code 2) or failed while running (exit code 1).",
    fix: "Read the engine's reason in the message; the statement is quoted after it."
  },
  {
    tag: "TableNotFound",
    area: "Session",
    summary: "A table named by a job or command does not exist.",
    fix: "Create it (`runbatch table create NAME --from FILE`) or qualify it with its database and schema."
  },
  {
    tag: "TableExists",
    area: "Session",
    summary: "A table being created already exists.",
    fix: 'Pass mode "replace" (`--replace`) to replace it, or choose another name.'
  },
  {
    tag: "CaseCollision",
    area: "Session",
    summary:
      "Column (or table) names differ only by case. Snowflake keeps them apart when quoted; the embedded account's DuckDB cannot, and would silently rename one.",
    fix: "Rename all but one of them in the source file or query."
  },
  {
    tag: "DatabaseBusy",
    area: "Session",
    summary:
      "A database file of the embedded account stayed locked by another process beyond the retry window.",
    fix: "Another command or job is writing to the same database; wait for it and try again."
  },
  {
    tag: "LocalFileError",
    area: "Session",
    summary:
      "A local file given to a command (stage put, table create, model log) or a Snowflake connections file is missing or unreadable, or a folder of the account's home (a model, version or job folder, or one above it) is a symbolic link, which runbatch never follows.",
    fix: "Check the path and its permissions. For a link, replace it with a real folder (the home itself may be a link)."
  },
  {
    tag: "ConnectionFileUnsafe",
    area: "Snowflake",
    summary:
      "A `connections.toml` or `config.toml` in `SNOWFLAKE_HOME` (default `~/.snowflake`) is writable by its group or by others, so another user could change where credentials go; runbatch refuses to read it, as Snowflake's own tools do.",
    fix: "Make the file writable by its owner only: `chmod 600 FILE` (the message names the file)."
  },
  {
    tag: "ConnectionFileInvalid",
    area: "Snowflake",
    summary:
      "A `connections.toml` or `config.toml` is not valid TOML (the message gives the line and column), or its layout is not a connections file's: a connection that is not a table, a connection defined twice, a `default_connection_name` that is not a string.",
    fix: "Fix the file at the place named. Connections are tables: `[NAME]` in connections.toml (or `[connections.NAME]`), `[connections.NAME]` in config.toml; see docs/snowflake.md."
  },
  {
    tag: "ConnectionNotFound",
    area: "Snowflake",
    summary:
      "No connection of the chosen name (from `--connection`, `SNOWFLAKE_DEFAULT_CONNECTION_NAME`, `default_connection_name` in config.toml, or `default`) is defined in `SNOWFLAKE_HOME`'s files or by `SNOWFLAKE_CONNECTIONS_<NAME>_<KEY>` variables. The message lists the connections that exist and where runbatch looked.",
    fix: "Choose one of the connections listed with `--connection NAME`, or add a `[NAME]` table to connections.toml. Check `SNOWFLAKE_HOME` if the files are elsewhere."
  },
  {
    tag: "InvalidConnection",
    area: "Snowflake",
    summary:
      "A connection value cannot be used: a port that is not a whole number from 1 to 65535, a protocol other than http or https, a host written as a URL, an account that is not an account identifier, a value that is not a string, or no account (nor host) at all. The message names the key and where its value came from.",
    fix: "Correct the value where the message says it came from (the file, a `SNOWFLAKE_*` variable, or a flag). `account` is the account identifier (`myorg-myaccount`), `host` a bare host name."
  },
  {
    tag: "InsecureTransport",
    area: "Snowflake",
    summary:
      "A connection asks for plain `http` to a host that is not this machine; runbatch sends credentials over plain http only to loopback (127.0.0.0/8, ::1, localhost), such as the emulator.",
    fix: 'Remove `protocol = "http"` (https is the default). For a corporate TLS proxy, trust its certificate with `NODE_EXTRA_CA_CERTS=/path/to/ca.pem` instead.'
  },
  {
    tag: "NotOnSnowflakeYet",
    area: "Snowflake",
    summary:
      "A Snowflake session (`Session.snowflake`, `--connection`) was asked for something this version runs only on the embedded local account: jobs (`run`, `jobs …`, `runBatch`, `resumeJob`, the dry run, the model check of `model log`). SQL, tables, stages, results and the model registry work on Snowflake now.",
    fix: "Run it on the local account (`Session.local()`, or the command without `--connection`)."
  },
  {
    tag: "NoActiveWarehouse",
    area: "Snowflake",
    summary: "A statement needs a warehouse and the Snowflake session has none.",
    fix: 'Set one: `warehouse = "…"` in the connection\'s table of connections.toml, `SNOWFLAKE_CONNECTIONS_<NAME>_WAREHOUSE` or `SNOWFLAKE_WAREHOUSE`, or `--warehouse NAME`.'
  },
  {
    tag: "SnowflakeConnectFailed",
    area: "Snowflake",
    summary:
      "Logging in to Snowflake failed: a wrong password, key or token, an unknown account or user, a host that does not answer. The message names the connection and who connects where and how, never a secret.",
    fix: "Check the connection's `account`, `host`, `user` and credentials where they come from (connections.toml, `SNOWFLAKE_*` variables, flags); for the emulator, its password (`--password`, `RUNBATCH_EMULATOR_PASSWORD`)."
  },
  {
    tag: "SnowflakeDriverMissing",
    area: "Snowflake",
    summary:
      "A Snowflake session was asked for and snowflake-sdk, runbatch's optional peer dependency for Snowflake, is not installed.",
    fix: "Install it beside runbatch: `npm install snowflake-sdk`."
  },
  {
    tag: "StatementTimedOut",
    area: "Snowflake",
    summary:
      "A statement on a Snowflake connection ran longer than the session's statement timeout (`statementTimeoutSeconds`, Snowflake's `STATEMENT_TIMEOUT_IN_SECONDS`) and was cancelled, by Snowflake (code 000630) or by runbatch.",
    fix: "Raise `statementTimeoutSeconds` (or the user's or warehouse's `STATEMENT_TIMEOUT_IN_SECONDS`), or run the statement on a larger warehouse."
  },
  {
    tag: "InsufficientPrivileges",
    area: "Snowflake",
    summary:
      "Snowflake refused a statement because the session's role lacks a privilege on an object (code 003001, SQL state 42501). The message names the object, and the privilege and role when known.",
    fix: "Ask the object's owner to `GRANT <privilege> ON <object> TO ROLE <role>`, or connect with a role that has it (`role` in connections.toml, or `--role`)."
  },
  {
    tag: "RowFailed",
    area: "Running jobs",
    summary:
      "A row failed while the job ran (a file that could not be read, a value out of its feature's range, a row the model refused) and the job was failing fast.",
    fix: "Fix the row named in the message, or run with `on_error: record` to keep every row and record its error in an `_ERROR` column."
  },
  {
    tag: "ShardUnreadable",
    area: "Running jobs",
    summary:
      "A shard of the job's staged input is not readable parquet: the file was damaged after it was written.",
    fix: "Run the job again; it stages its input afresh."
  },
  {
    tag: "ReplicaLost",
    area: "Running jobs",
    summary:
      "A replica stopped (crashed, was killed, ran out of memory) before committing its shards; the job failed instead of waiting.",
    fix: "Read the replica's log (`runbatch jobs logs JOB --instance N`); resume the job to rerun only the shards that were not committed."
  },
  {
    tag: "ReplicaUnplaced",
    area: "Running jobs",
    summary:
      "A replica started without SNOWFLAKE_JOB_INDEX / SNOWFLAKE_JOBS_COUNT (or --replica / --replicas) for a plan of several replicas; it refuses rather than run every shard as replica 0 of 1.",
    fix: "Start the job service with `REPLICAS = N` (N from the plan), which sets both variables, or pass `--replica I --replicas N` to the replica command."
  },
  {
    tag: "WorkerCrashed",
    area: "Running jobs",
    summary:
      "A pipeline worker thread inside a replica stopped without a typed error: a plugin crashed natively, threw a defect, or the thread ran out of memory.",
    fix: "The reason says what the thread reported. Resume the job to rerun the uncommitted shards; if it crashes again on the same shard, run with fewer `num_workers` or a smaller `max_batch_rows`, and report the plugin's crash."
  },
  {
    tag: "ThreadMessageInvalid",
    area: "Running jobs",
    summary:
      "A replica and one of its pipeline threads could not read a message of the other: they ran different builds of runbatch (the thread protocol's version differs), or the message was damaged or of an unknown kind.",
    fix: "Reinstall or rebuild runbatch so the replica's code and its threads' are one build (the message names the versions), then resume the job to rerun the uncommitted shards."
  },
  {
    tag: "ReplicaStatusUnreadable",
    area: "Running jobs",
    summary:
      "A replica cannot read the status file the job's supervisor keeps of another replica (`monitor/replica-<i>.json`): it is of another runbatch version, or damaged.",
    fix: "Of another version: the supervisor and the replicas come from different runbatch installs; start replicas with the replica command of the same install as `@runbatch/spcs-launcher` (`ReplicaCommand` from its `@runbatch/runtime`). Damaged: something other than the supervisor wrote it; resume the job once the job folder is in order."
  },
  {
    tag: "StageFileError",
    area: "Stages",
    summary:
      "A stage file is missing, larger than the configured limit, or unreadable; or it resolves outside its stage (`escapes_stage`) through a symbolic link inside the stage, or a folder above it (`stages/`, the database, schema or stage folder) is a link; or, locally, a database, schema or stage name is too long to be a folder name (`name_too_long`, over 255 bytes once spelt for the disk).",
    fix: "Check the path (stage paths are case-sensitive) with `runbatch stage ls`, or raise the size limit. For `escapes_stage`, remove the link the message names (the home itself may be a link). For `name_too_long`, choose a shorter name."
  },
  {
    tag: "StageFileExists",
    area: "Stages",
    summary: "Stage storage is write-once: a file of that name exists and is never overwritten.",
    fix: "Remove the file first (`runbatch stage rm`) or write under another name."
  },
  {
    tag: "LocalCopyFailed",
    area: "Stages",
    summary:
      "A file of a stage that is not a folder on this machine (a remote store) could not be copied into a private temporary folder, where it is read in place by row group: the disk is full or the folder is not writable.",
    fix: "Free space in the folder the message names, or set `TMPDIR` to a folder with room for the largest input file or result part read at once (one per worker)."
  },
  {
    tag: "NoFilesMatched",
    area: "Stages",
    summary:
      "A files job's stage folder has no file its pattern matches: the job would end with no rows, so nothing was written.",
    fix: "Check the location and the pattern (`runbatch stage ls @…`); a pattern matches the whole path inside the stage (`.*\\.png`). To run over no files anyway: `allow_empty: true` in the source, `--allow-empty`."
  },
  {
    tag: "OutputNotEmpty",
    area: "Outputs",
    summary: "SaveMode `error` (the default) found files in the output folder; nothing was written.",
    fix: "Clear the folder, choose another one, use `base_stage_location` for a per-job folder, or use mode `overwrite`."
  },
  {
    tag: "OutputClaimed",
    area: "Outputs",
    summary: "Another job claimed the same output folder first; two jobs never write one output.",
    fix: "Wait for that job, or give each job its own folder (`base_stage_location`)."
  },
  {
    tag: "ResultsIncomplete",
    area: "Outputs",
    summary: "Results were read from a folder without `_SUCCESS`: the job failed or is still running.",
    fix: "Check the job (`runbatch jobs status`); `allowIncomplete` reads the committed parts anyway."
  },
  {
    tag: "NoResultsCommitted",
    area: "Outputs",
    summary:
      "Results were read with `allowIncomplete` from a folder where no part has been committed: the job stopped, or has not finished a shard yet.",
    fix: "Check the job (`runbatch jobs status`, `runbatch jobs logs`); wait for it, resume it or run it again."
  },
  {
    tag: "ExportFileExists",
    area: "Outputs",
    summary:
      "`runbatch results --output FILE` was given a file that already exists; an export never replaces a file unasked.",
    fix: "Choose another name, or pass `--force` to replace the file (only once the export is complete)."
  },
  {
    tag: "ResultsCorrupt",
    area: "Outputs",
    summary:
      "A result part does not match the manifest's rows, bytes or checksum: the output was altered after the job.",
    fix: "Run the job again."
  },
  {
    tag: "ModelNotFound",
    area: "Registry",
    summary: "The model is not in the registry's database and schema.",
    fix: "List models with `runbatch model ls`; log it with `runbatch model log`."
  },
  {
    tag: "ModelVersionNotFound",
    area: "Registry",
    summary: "The model has no version of that name, or no default version.",
    fix: "Use a version the message lists (`runbatch model show NAME`)."
  },
  {
    tag: "ModelVersionExists",
    area: "Registry",
    summary: "Model versions are immutable; that version is already logged.",
    fix: "Log under a new version name, or delete the old version first."
  },
  {
    tag: "InvalidModelVersion",
    area: "Registry",
    summary: "A model version's files (MANIFEST.yml, model.yaml, user data) are missing or malformed.",
    fix: "Log the version again; never edit registry files by hand."
  },
  {
    tag: "JobExists",
    area: "Jobs",
    summary: "A job was launched under the name of a job that already exists in that database and schema.",
    fix: "Choose another job name, or a job name prefix (`<PREFIX>_<UUID>`); or delete the old job first (`deleteJob`)."
  },
  {
    tag: "JobNotFound",
    area: "Jobs",
    summary:
      "No job has that name in the database and schema: it never existed, or it was deleted (`wait` on a deleted job fails this way too, as in Snowflake).",
    fix: "Qualify the name (`DB.SCHEMA.JOB`) or use one the message suggests; `listJobs` lists the jobs of a schema."
  },
  {
    tag: "ResumeRefused",
    area: "Jobs",
    summary:
      "A job was asked to resume, but it is not stopped (it is DONE, running, or deleted), or what it ran with has changed: the plan was edited, the model version's files, a plugin's version, or the staged input differ from when it started.",
    fix: "Resume only FAILED or CANCELLED jobs. When its model, plugins or input changed, run it again as a new job (with --mode overwrite on the same output, or another output)."
  },
  {
    tag: "JobTimeout",
    area: "Jobs",
    summary: "`wait` ran out of time while the job was still running; the job itself keeps running.",
    fix: "Wait again with a longer `timeoutSeconds` (or none), check `progress`, or cancel the job."
  },
  {
    tag: "JobLaunchFailed",
    area: "Jobs",
    summary:
      "The launcher could not start a job: its record could not be written, or its supervisor process could not be started (the job, if recorded, ends INTERNAL_ERROR).",
    fix: "Read the reason: check that the account's home folder is writable and that the packages are built (`npm run build`), then launch again."
  },
  {
    tag: "JobRecordUnreadable",
    area: "Jobs",
    summary:
      "A record of a local job's folder (`job.json`, `status.json`, `supervisor.json`, `client.json`, `cancel.json`, `progress.json`) cannot be read: another runbatch version wrote it, or it is damaged (edited, or cut short).",
    fix: "Of another version: follow, cancel or delete the job with the runbatch version that launched it. Damaged: the job cannot be followed; remove the job folder the message names by hand (its output is not affected), and run the job again if needed."
  },
  {
    tag: "ReplicaOutputMismatch",
    area: "Jobs",
    summary:
      'A replica printed a line of another version of runbatch\'s replica output protocol (its `"runbatch"` field): the replica command runs another runbatch version than the launcher. The job fails with this message.',
    fix: "Start replicas with the replica command of the same install as the launcher: `ReplicaCommand.command()` from the `@runbatch/runtime` installed beside `@runbatch/spcs-launcher`, both of one runbatch version."
  },
  {
    tag: "EmulatorStartFailed",
    area: "Emulator",
    summary:
      "The Snowflake-protocol emulator (`runbatch emulator`, `Emulator.start`) could not listen: the port is taken or the host is not an address of this machine.",
    fix: "Pass another `--port` (0 picks a free one, printed at start and written to `--port-file`), or stop the process holding it."
  },
  {
    tag: "EmulatorBadRequest",
    area: "Emulator",
    summary:
      "A request to the emulator was refused before any SQL ran: its body is larger than the limit, not JSON, or lacks what the endpoint needs.",
    fix: "Send what snowflake-sdk sends; for very large binds use fewer rows per statement. The message names the endpoint and the problem."
  },
  {
    tag: "UnsupportedStatement",
    area: "Emulator",
    summary:
      "The emulator recognised a statement that it neither handles itself nor passes to DuckDB (the client gets Snowflake error 000002, SQL state 0A000).",
    fix: "docs/snowflake.md lists what the emulator runs. Rewrite the statement with supported SQL, or run it against a real Snowflake account."
  },
  {
    tag: "EmulatorSqlError",
    area: "Emulator",
    summary:
      "The emulator refused a statement with a Snowflake error code: a bind it cannot use, a PUT onto an existing file with OVERWRITE=FALSE, a GET of a missing file, an unknown stage, several statements in one request.",
    fix: "The message says which input is wrong and what to write instead."
  }
]

const anchor = (tag: string): string => tag.toLowerCase()

/**
 * A Markdown table with every column padded to its widest cell, as the repository's formatter
 * (`biome check --write`) writes it, so formatting the generated page leaves it unchanged.
 */
const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)]
}

/** docs/reference/errors.md, rendered from the catalogue. */
export const renderReference = (): string => {
  const areas = [...new Set(ERROR_CATALOGUE.map((e) => e.area))]
  const lines: Array<string> = [
    "# Error reference",
    "",
    "<!-- Generated from packages/spec/src/errors/ErrorCatalogue.ts by `npm run docs:errors`; do not edit by hand. -->",
    "",
    "Every failure runbatch reports is a typed error with a `_tag`. Effect users catch them by tag",
    '(`Effect.catchTag("InvalidSpec", …)`); Promise users get the same error object as the rejection',
    "(`err._tag`, `err.message`); the CLI prints the message and exits with code 2 for these validation",
    "errors and 1 for a failed job. Each message says what happened and how to fix it.",
    "",
    ...table(
      ["Tag", "Area", "What happened"],
      ERROR_CATALOGUE.map((e) => [`[\`${e.tag}\`](#${anchor(e.tag)})`, e.area, e.summary])
    ),
    ""
  ]
  for (const area of areas) {
    lines.push(`## ${area}`, "")
    for (const e of ERROR_CATALOGUE.filter((x) => x.area === area)) {
      lines.push(`### ${e.tag}`, "", e.summary, "", `**Fix:** ${e.fix}`, "")
    }
  }
  return `${lines.join("\n").trimEnd()}\n`
}
