import { describe, expect, it } from "@effect/vitest"
import * as Spec from "@runbatch/spec"
import { Schema } from "effect"

/** One instance of every error class, as a replica would report it to its parent process. */
const samples: ReadonlyArray<readonly [string, Error & { readonly _tag: string }, string]> = [
  [
    "InvalidIdentifier",
    new Spec.InvalidIdentifier({ input: "1abc", reason: "bad start." }),
    'Invalid identifier "1abc"'
  ],
  [
    "InvalidStageLocation",
    new Spec.InvalidStageLocation({ input: "@~", reason: "user stage." }),
    'Invalid stage location "@~"'
  ],
  [
    "InvalidSpec",
    new Spec.InvalidSpec({
      spec: "JobSpec",
      problems: [
        { path: "num_workers", message: "must be at least 1" },
        { path: "replicas", message: "must be at least 1" }
      ]
    }),
    "Invalid JobSpec:\n  - num_workers: must be at least 1\n  - replicas: must be at least 1"
  ],
  [
    "InvalidJobFile",
    new Spec.InvalidJobFile({ source: "job.yaml", problems: [{ path: "", message: "empty" }] }),
    "Invalid job file job.yaml: empty"
  ],
  [
    "InvalidJobPlan",
    new Spec.InvalidJobPlan({ source: "plan.json", problems: [{ path: "fingerprint", message: "edited" }] }),
    "fingerprint: edited"
  ],
  [
    "InvalidSignature",
    new Spec.InvalidSignature({ reason: "No children feature specs.", path: "predict.inputs.g" }),
    "at predict.inputs.g"
  ],
  [
    "MissingFeatureColumn",
    new Spec.MissingFeatureColumn({ feature: "f", closest: ["F_"], columns: ["F_"] }),
    'closest input columns are "F_"'
  ],
  ["AmbiguousColumn", new Spec.AmbiguousColumn({ feature: "a", columns: ["a", "A"] }), '"a", "A"'],
  [
    "UnknownColumn",
    new Spec.UnknownColumn({ column: "IMAG", usedBy: "column_handling", closest: ["IMG"] }),
    'Did you mean "IMG"?'
  ],
  [
    "IncompatibleColumnType",
    new Spec.IncompatibleColumnType({
      column: "C",
      columnType: "STRING",
      feature: "f",
      featureType: "DOUBLE",
      fix: "Cast it."
    }),
    "Cast it."
  ],
  [
    "OutputColumnConflict",
    new Spec.OutputColumnConflict({ output: "output", column: "OUTPUT" }),
    '"OUTPUT_INPUT"'
  ],
  ["ParamsNotAccepted", new Spec.ParamsNotAccepted({ given: ["t"] }), "does not accept any parameters"],
  ["DuplicateParams", new Spec.DuplicateParams({ groups: [["t", "T"]] }), "['t', 'T']"],
  [
    "UnknownParams",
    new Spec.UnknownParams({ unknown: ["x"], valid: ["t"], suggestions: [] }),
    "Valid parameters are: 't'."
  ],
  ["InvalidParamValue", new Spec.InvalidParamValue({ param: "t", reason: "bad." }), "Parameter 't': bad."],
  [
    "FunctionNotFound",
    new Spec.FunctionNotFound({ function: "explain", model: "M", version: "V1", available: ["predict"] }),
    "There is no method with name explain"
  ],
  [
    "FunctionNotSpecified",
    new Spec.FunctionNotSpecified({ model: "M", version: "V1", available: ["a", "b"] }),
    "(a, b)"
  ],
  ["PartitionNotSupported", new Spec.PartitionNotSupported({ reason: "no." }), "no."],
  [
    "EnginePrepareError",
    new Spec.EnginePrepareError({ engine: "vllm", reason: "not a chat model.", fix: "Log it." }),
    "The vllm engine cannot run this model"
  ],
  [
    "PluginBatchError",
    new Spec.PluginBatchError({
      plugin: "custom-http",
      reason: "503",
      retryable: true,
      retryAfterMillis: 500
    }),
    "custom-http: 503 (retryable)"
  ],
  [
    "InvalidPluginManifest",
    new Spec.InvalidPluginManifest({ packageName: "x", problems: ["no runbatch field"] }),
    "no runbatch field"
  ],
  [
    "StageFileError",
    new Spec.StageFileError({ location: "@DB.S.ST/a.jpg", problem: "too_large", limitBytes: 10 }),
    "10-byte limit"
  ],
  [
    "PluginNotFound",
    new Spec.PluginNotFound({
      kind: "engine",
      request: "onnx",
      installed: ["vllm"],
      install: "@runbatch/engine-onnx"
    }),
    "Install it: npm install @runbatch/engine-onnx"
  ],
  [
    "IncompatiblePlugin",
    new Spec.IncompatiblePlugin({ packageName: "x-plugin", reason: "it was written for plugin API 2." }),
    "x-plugin cannot be used: it was written for plugin API 2."
  ],
  [
    "DuplicateDependency",
    new Spec.DuplicateDependency({
      library: "effect",
      copies: [
        { version: "4.1.5", directory: "/app/node_modules/effect", usedBy: "@runbatch/runbatch" },
        {
          version: "4.1.0",
          directory: "/app/node_modules/@runbatch/spec/node_modules/effect",
          usedBy: "@runbatch/spec"
        }
      ]
    }),
    '"overrides": { "effect": "4.1.5" }'
  ],
  [
    "DuplicatePluginId",
    new Spec.DuplicatePluginId({ id: "base64", packages: ["a", "b"] }),
    "claimed by more than one package: a, b"
  ],
  [
    "RowFailed",
    new Spec.RowFailed({
      shard: 3,
      file: "data_0.parquet",
      row: 17,
      column: "IMAGE",
      reason: "the file is missing."
    }),
    'Row 17 of shard 3 (data_0.parquet) failed in column "IMAGE": the file is missing.'
  ],
  [
    "ShardUnreadable",
    new Spec.ShardUnreadable({ shard: 1, file: "data_0.parquet", reason: "bad magic." }),
    "Shard 1 cannot be read from data_0.parquet"
  ],
  ["ReplicaLost", new Spec.ReplicaLost({ replica: 2, reason: "killed by SIGKILL." }), "Replica 2 stopped"],
  [
    "ReplicaUnplaced",
    new Spec.ReplicaUnplaced({ missing: "SNOWFLAKE_JOB_INDEX", planReplicas: 3 }),
    "REPLICAS = 3"
  ],
  [
    "SqlError",
    new Spec.SqlError({
      statement: "SELECT * FROM nope",
      reason: "Catalog Error: Table nope does not exist"
    }),
    "in: SELECT * FROM nope"
  ],
  [
    "TableNotFound",
    new Spec.TableNotFound({ table: "DB.S.WINES", closest: ["DB.S.WINE"] }),
    "Did you mean DB.S.WINE?"
  ],
  ["TableExists", new Spec.TableExists({ table: "ML.PUBLIC.WINES" }), 'Pass mode "replace"'],
  [
    "CaseCollision",
    new Spec.CaseCollision({ what: "column", names: ["a", "A"], source: "data.csv" }),
    'data.csv has column names that differ only by case: "a", "A"'
  ],
  [
    "DatabaseBusy",
    new Spec.DatabaseBusy({ database: "ML", waitedMillis: 30_000 }),
    "locked by another process for 30 s"
  ],
  [
    "LocalFileError",
    new Spec.LocalFileError({ path: "/tmp/x.csv", reason: "no such file" }),
    "/tmp/x.csv cannot be used"
  ],
  [
    "ConnectionFileUnsafe",
    new Spec.ConnectionFileUnsafe({
      file: "/home/a/.snowflake/connections.toml",
      mode: "0664",
      writableBy: "group"
    }),
    "Fix: chmod 600 /home/a/.snowflake/connections.toml"
  ],
  [
    "ConnectionFileInvalid",
    new Spec.ConnectionFileInvalid({
      file: "connections.toml",
      reason: "unfinished string",
      line: 3,
      column: 12
    }),
    "is not valid TOML: unfinished string at line 3, column 12."
  ],
  [
    "ConnectionNotFound",
    new Spec.ConnectionNotFound({
      name: "staging",
      chosenBy: "--connection",
      known: ["dev", "prod"],
      searched: ["connections.toml", "config.toml"]
    }),
    'There is no Snowflake connection named "staging" (--connection). The connections defined are: "dev", "prod"'
  ],
  [
    "InvalidConnection",
    new Spec.InvalidConnection({
      connection: "dev",
      key: "port",
      source: "SNOWFLAKE_PORT",
      reason: "must be a whole number from 1 to 65535."
    }),
    "port (from SNOWFLAKE_PORT) must be a whole number"
  ],
  [
    "InsecureTransport",
    new Spec.InsecureTransport({ connection: "dev", host: "example.com" }),
    'The Snowflake connection "dev" asks for plain http to example.com'
  ],
  [
    "StatementTimedOut",
    new Spec.StatementTimedOut({ connection: "dev", statement: "SELECT * FROM BIG", timeoutSeconds: 60 }),
    "ran longer than its timeout of 60 s"
  ],
  [
    "InsufficientPrivileges",
    new Spec.InsufficientPrivileges({
      connection: "dev",
      statement: "SELECT * FROM PAYROLL",
      object: "TABLE PAYROLL",
      role: "ANALYST"
    }),
    "GRANT <privilege> ON TABLE PAYROLL TO ROLE ANALYST"
  ],
  [
    "NotOnSnowflakeYet",
    new Spec.NotOnSnowflakeYet({ feature: "runbatch stage ls", connection: "dev" }),
    'runbatch stage ls is not available on Snowflake yet (connection "dev")'
  ],
  [
    "NoActiveWarehouse",
    new Spec.NoActiveWarehouse({ connection: "dev" }),
    'warehouse = "…" in the connection\'s table of connections.toml, the SNOWFLAKE_WAREHOUSE variable, or --warehouse NAME.'
  ],
  [
    "SnowflakeConnectFailed",
    new Spec.SnowflakeConnectFailed({
      connection: "dev",
      description: "alice@myorg-myacct via myorg-myacct.snowflakecomputing.com (password auth)",
      reason: "Incorrect username or password was specified.",
      code: "390100"
    }),
    'Could not connect to Snowflake with the connection "dev" (alice@myorg-myacct via myorg-myacct.snowflakecomputing.com (password auth)): Incorrect username or password was specified. (code 390100)'
  ],
  [
    "SnowflakeDriverMissing",
    new Spec.SnowflakeDriverMissing({ reason: "the package snowflake-sdk cannot be found" }),
    "npm install snowflake-sdk"
  ],
  [
    "StageFileExists",
    new Spec.StageFileExists({ location: "@DB.S.ST/a" }),
    "written once and never overwritten"
  ],
  [
    "EmulatorStartFailed",
    new Spec.EmulatorStartFailed({ host: "127.0.0.1", port: 8123, reason: "listen EADDRINUSE" }),
    "could not listen on 127.0.0.1:8123: listen EADDRINUSE"
  ],
  [
    "EmulatorBadRequest",
    new Spec.EmulatorBadRequest({ endpoint: "/queries/v1/query-request", reason: "the body is not JSON" }),
    "refused a request to /queries/v1/query-request: the body is not JSON"
  ],
  [
    "UnsupportedStatement",
    new Spec.UnsupportedStatement({ statement: "CREATE WAREHOUSE W", kind: "CREATE WAREHOUSE" }),
    "not supported by the emulator: CREATE WAREHOUSE"
  ],
  [
    "EmulatorSqlError",
    new Spec.EmulatorSqlError({
      statement: "GET @S/missing file:///tmp/",
      code: "002003",
      sqlState: "02000",
      reason: "No file of the stage matches @S/missing"
    }),
    "No file of the stage matches @S/missing (in: GET @S/missing file:///tmp/)"
  ],
  [
    "LocalCopyFailed",
    new Spec.LocalCopyFailed({
      location: "@DB.S.ST/in/data_0.parquet",
      folder: "/tmp/runbatch-copy-Ab12",
      reason: "ENOSPC: no space left on device."
    }),
    "set TMPDIR to a folder with room"
  ],
  [
    "OutputNotEmpty",
    new Spec.OutputNotEmpty({ location: "@DB.S.ST/out/", files: 3, sample: ["a.parquet"] }),
    "Found 3 existing files (a.parquet, …)"
  ],
  [
    "OutputClaimed",
    new Spec.OutputClaimed({ location: "@DB.S.ST/out/", job: "DB.S.J1" }),
    "being written by the job DB.S.J1"
  ],
  [
    "ResultsIncomplete",
    new Spec.ResultsIncomplete({ location: "@DB.S.ST/out/", reason: "there is no _SUCCESS." }),
    "pass allowIncomplete"
  ],
  [
    "NoFilesMatched",
    new Spec.NoFilesMatched({ location: "@DB.S.ST/img/", pattern: ".*\\.png" }),
    "No files under '@DB.S.ST/img/' match"
  ],
  [
    "NoResultsCommitted",
    new Spec.NoResultsCommitted({ location: "@DB.S.ST/out/" }),
    "No results have been committed to '@DB.S.ST/out/'"
  ],
  [
    "ExportFileExists",
    new Spec.ExportFileExists({ path: "/tmp/wine.csv" }),
    "The file /tmp/wine.csv already exists"
  ],
  [
    "ResultsCorrupt",
    new Spec.ResultsCorrupt({
      location: "@DB.S.ST/out/",
      reason: "part-0-0.parquet has 9 rows, the manifest says 10."
    }),
    "do not match their manifest"
  ],
  [
    "ModelNotFound",
    new Spec.ModelNotFound({ model: "DB.S.WINE", closest: ["DB.S.WINES"] }),
    "Did you mean DB.S.WINES?"
  ],
  [
    "ModelVersionNotFound",
    new Spec.ModelVersionNotFound({ model: "DB.S.WINE", version: "V9", available: ["V1", "V2"] }),
    "Versions: V1, V2."
  ],
  [
    "ModelVersionExists",
    new Spec.ModelVersionExists({ model: "DB.S.WINE", version: "V1" }),
    "never change once logged"
  ],
  [
    "InvalidModelVersion",
    new Spec.InvalidModelVersion({
      model: "DB.S.WINE",
      version: "V1",
      reason: "model/model.yaml is missing."
    }),
    "version V1 cannot be read: model/model.yaml is missing."
  ],
  [
    "ResumeRefused",
    new Spec.ResumeRefused({ job: "ML.PUBLIC.NIGHTLY", reason: "it is DONE: nothing is left to run." }),
    "Job ML.PUBLIC.NIGHTLY cannot be resumed: it is DONE"
  ],
  [
    "WorkerCrashed",
    new Spec.WorkerCrashed({ replica: 0, worker: 1, reason: "its thread exited with code 3." }),
    "Worker 1 of replica 0 crashed: its thread exited with code 3."
  ],
  [
    "ThreadMessageInvalid",
    new Spec.ThreadMessageInvalid({
      replica: 0,
      worker: 1,
      sender: "thread",
      reason: 'its kind "x" is not one of next, progress, done, failed.'
    }),
    "A message from worker 1's thread to replica 0 could not be read"
  ],
  [
    "JobExists",
    new Spec.JobExists({ job: "ML.PUBLIC.NIGHTLY" }),
    "A job named ML.PUBLIC.NIGHTLY already exists"
  ],
  [
    "JobNotFound",
    new Spec.JobNotFound({ job: "ML.PUBLIC.NIGTHLY", closest: ["ML.PUBLIC.NIGHTLY"] }),
    "Job ML.PUBLIC.NIGTHLY does not exist or not authorized. Did you mean ML.PUBLIC.NIGHTLY?"
  ],
  [
    "JobTimeout",
    new Spec.JobTimeout({ job: "ML.PUBLIC.NIGHTLY", timeoutSeconds: 30, status: "RUNNING" }),
    "Job ML.PUBLIC.NIGHTLY did not complete within 30 seconds"
  ],
  [
    "JobLaunchFailed",
    new Spec.JobLaunchFailed({ job: "ML.PUBLIC.NIGHTLY", reason: "the home folder is read-only." }),
    "Job ML.PUBLIC.NIGHTLY could not be launched: the home folder is read-only."
  ],
  [
    "JobRecordUnreadable",
    new Spec.JobRecordUnreadable({
      file: "/home/.runbatch/jobs/ML/PUBLIC/NIGHTLY/status.json",
      found: "2",
      expected: 1,
      reason: "it is version 2"
    }),
    "is of version 2, and this runbatch reads version 1"
  ],
  [
    "ReplicaOutputMismatch",
    new Spec.ReplicaOutputMismatch({ replica: 1, found: "2" }),
    "Replica 1 writes version 2 of runbatch's replica output, and this launcher reads version 1"
  ],
  [
    "ReplicaStatusUnreadable",
    new Spec.ReplicaStatusUnreadable({
      file: "/home/.runbatch/jobs/ML/PUBLIC/NIGHTLY/monitor/replica-1.json",
      found: null,
      reason: "not JSON"
    }),
    "replica-1.json is damaged (not JSON)"
  ]
]

describe("errors across a process boundary", () => {
  it("the samples cover every catalogued error", () => {
    expect(samples.map(([tag]) => tag).sort()).toStrictEqual(Spec.ERROR_CATALOGUE.map((e) => e.tag).sort())
  })

  it.each(samples)("%s survives JSON encoding and decoding", (tag, error, fragment) => {
    const cls = error.constructor as Schema.Codec<Error & { readonly _tag: string }, unknown>
    const json = Schema.encodeSync(Schema.fromJsonString(cls))(error)
    expect(JSON.parse(json)).toHaveProperty("_tag", tag)
    const back = Schema.decodeUnknownSync(Schema.fromJsonString(cls))(json)
    expect(back).toBeInstanceOf(error.constructor)
    expect(back._tag).toBe(tag)
    expect(back.message).toBe(error.message)
    expect(error.message).toContain(fragment)
  })

  it.each(samples)("%s crosses a thread boundary as the same class (ErrorWire)", (_tag, error) => {
    const back = Spec.ErrorWire.fromWire(structuredClone(Spec.ErrorWire.toWire(error)), {
      replica: 0,
      worker: 0
    })
    expect(back).toBeInstanceOf(error.constructor)
    expect(back.message).toBe(error.message)
  })

  it("an error runbatch does not define arrives as WorkerCrashed with its tag and message", () => {
    class QuotaExceeded extends Error {
      readonly _tag = "QuotaExceeded"
    }
    const back = Spec.ErrorWire.fromWire(Spec.ErrorWire.toWire(new QuotaExceeded("429 from the server")), {
      replica: 2,
      worker: 1
    })
    expect(back).toBeInstanceOf(Spec.WorkerCrashed)
    expect(back.message).toContain("Worker 1 of replica 2 crashed: QuotaExceeded: 429 from the server")
    const forged = Spec.ErrorWire.fromWire(
      { tag: "RowFailed", message: "m", fields: { row: "x" } },
      { replica: 0, worker: 0 }
    )
    expect(forged).toBeInstanceOf(Spec.WorkerCrashed)
  })

  it("a payload with another tag is refused", () => {
    const json = Schema.encodeSync(Schema.fromJsonString(Spec.InvalidSpec))(
      new Spec.InvalidSpec({ spec: "x", problems: [] })
    )
    expect(() => Schema.decodeUnknownSync(Schema.fromJsonString(Spec.InvalidJobFile))(json)).toThrow()
  })
})
