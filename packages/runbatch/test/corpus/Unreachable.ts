/**
 * Catalogued error tags that no user input provokes, each with the reason. The corpus fails when a
 * catalogued tag has neither a case nor an entry here, so a new error tag needs one or the other.
 */
import type { Unreachable } from "./Case.ts"

export const UNREACHABLE: ReadonlyArray<Unreachable> = [
  {
    tag: "DuplicateDependency",
    reason:
      "Two copies of effect, apache-arrow or a shared runbatch package in one app: a fault of the installation, not of any input (packages/spec/test/SharedLibraries.test.ts, the plugin host's DeclaredPlugins test, and npm run test:packed with a nested copy)."
  },
  {
    tag: "AmbiguousColumn",
    reason:
      "On the embedded account input columns that differ only by case never reach column matching: the session refuses them first with CaseCollision (case case-collision-columns), because DuckDB would rename one. AmbiguousColumn is for Snowflake sessions, where quoted names keep their case."
  },
  {
    tag: "InvalidJobPlan",
    reason:
      "plan.json is written by runbatch itself and read back by its replicas; only a plan edited or damaged after it was written, or written by another runbatch version, fails to decode (packages/spec/test/JobPlan.test.ts)."
  },
  {
    tag: "InvalidModelVersion",
    reason:
      "A model version's files are written by logModel, which checks everything first, and never change after; only registry files edited or damaged by hand fail to read (packages/registry-client tests)."
  },
  {
    tag: "PluginBatchError",
    reason:
      "An encoder or engine failing a whole batch: a fault of the plugin or of the server behind it (an HTTP engine's server down, or answering garbage), not of the values given. Bad values fail their own row (RowFailed, cases file-missing and image-truncated)."
  },
  {
    tag: "DatabaseBusy",
    reason:
      "Another process holding an embedded database's lock beyond the retry window: a matter of timing between processes, not of what was asked (packages/session/test/e2e/Concurrency.test.ts)."
  },
  {
    tag: "ShardUnreadable",
    reason:
      "The job's staged input is written by runbatch as parquet; a shard is unreadable only when the file is damaged after it was written (the fault suite corrupts one)."
  },
  {
    tag: "LocalCopyFailed",
    reason:
      "Only a store without a local path (a remote stage) copies files to be read; the embedded account reads its stages in place. A full or unwritable temporary folder is a state of the machine, not of the input (packages/stage-io/test/LocalCopy.test.ts)."
  },
  {
    tag: "ReplicaLost",
    reason:
      "A replica process dying (killed, out of memory) before committing its shards: an event of the machine, not of the input (the fault suite kills replicas)."
  },
  {
    tag: "ReplicaUnplaced",
    reason:
      "Launchers always give each replica its index and count (the local supervisor and SPCS alike); only a replica command started by hand without them meets it (packages/runtime/test/e2e/ReplicaProcess.test.ts)."
  },
  {
    tag: "WorkerCrashed",
    reason:
      "A pipeline worker thread stopping without a typed error: a plugin crashing natively or throwing a defect, or the thread running out of memory."
  },
  {
    tag: "ThreadMessageInvalid",
    reason:
      "A replica and its pipeline threads run the same modules of one installation; only two builds of runbatch mixed in one replica (a version skew) or a damaged message fail to decode (packages/runtime/test/ThreadProtocol.test.ts)."
  },
  {
    tag: "JobLaunchFailed",
    reason:
      "The launcher failing to write a job's record or start its supervisor: the home folder not writable, or the packages not built. A property of the installation, not of the job asked for."
  },
  {
    tag: "JobRecordUnreadable",
    reason:
      "A job folder's records are written whole by runbatch itself; only one written by another runbatch version, or edited or damaged by hand, fails to read (packages/spcs-launcher/test/JobFolder.test.ts)."
  },
  {
    tag: "ReplicaOutputMismatch",
    reason:
      "A replica command of another runbatch version than the launcher: a fault of the installation, not of the job asked for (packages/spcs-launcher/test/e2e/Protocols.test.ts)."
  },
  {
    tag: "ReplicaStatusUnreadable",
    reason:
      "The replicas' status files are written whole by the job's supervisor; only a supervisor of another runbatch version, or a file damaged by hand, makes one unreadable (packages/runtime/test/ReplicaMonitor.test.ts)."
  },
  {
    tag: "NoActiveWarehouse",
    reason:
      "Answered by a Snowflake server to a statement that needs a warehouse on a session without one: the corpus runs on the embedded local account, which has no warehouses; tested through the emulator with a warehouse required (packages/emulator tests)."
  },
  {
    tag: "EmulatorStartFailed",
    reason:
      "The emulator could not listen: a port another process holds, or an address this machine does not have — a matter of the machine, not of a job's input (packages/emulator tests; `runbatch emulator --port N`)."
  },
  {
    tag: "EmulatorBadRequest",
    reason:
      "Answered over the wire to a Snowflake client that sent a malformed, oversized or unknown request to `runbatch emulator`, never raised by runbatch's own calls (packages/emulator/test/BadInput.test.ts)."
  },
  {
    tag: "UnsupportedStatement",
    reason:
      "Answered over the wire to a Snowflake client whose SQL the emulator does not emulate, naming the statement (packages/emulator/test/BadInput.test.ts, Emulator.test.ts); runbatch's local account runs SQL on DuckDB without the emulator."
  },
  {
    tag: "EmulatorSqlError",
    reason:
      "Answered over the wire to a Snowflake client with Snowflake's code and SQL state (a missing object, a syntax error, a refused PUT/GET); the local account's own statements fail with SqlError (packages/emulator tests)."
  },
  {
    tag: "SnowflakeConnectFailed",
    reason:
      "A login a Snowflake server refuses (wrong password, unknown user) or a server that does not answer: the corpus runs on the embedded local account and starts no server; tested through the emulator (packages/emulator/test/SnowflakeSql.test.ts, packages/runbatch/test/SnowflakeSession.test.ts, the CLI's e2e SnowflakeCli.test.ts)."
  },
  {
    tag: "StatementTimedOut",
    reason:
      "Raised by the Snowflake Sql backend, which the corpus's local account does not reach: a statement running past statementTimeoutSeconds (packages/emulator/test/SnowflakeTimeouts.test.ts)."
  },
  {
    tag: "InsufficientPrivileges",
    reason:
      "Raised by the Snowflake Sql backend, which the corpus's local account does not reach: Snowflake's 003001 for a role without a privilege (packages/emulator/test/SnowflakeErrors.test.ts)."
  },
  {
    tag: "SnowflakeDriverMissing",
    reason:
      "An installation without the optional peer snowflake-sdk: a state of the installation, not of the input (packages/session/test/SnowflakeDriver.test.ts hides the driver)."
  }
]
