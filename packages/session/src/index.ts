// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

// The account and the Promise faces' runner live in @runbatch/account and @runbatch/spec (so stage
// files and replicas need no DuckDB); re-exported so code that took them from the session still works.
export * from "@runbatch/account"
export type { EffectRunner } from "@runbatch/spec"
export type { CsvOptions } from "./CsvOptions.ts"
export * from "./ListStageFiles.ts"
export { DEFAULT_LOCK_WAIT_MILLIS, type LocalSqlOptions } from "./LocalSql.ts"
export * from "./Relation.ts"
export * from "./Sql.ts"
export { RelationPromise, SqlPromise, type TableSourcePromise } from "./SqlPromise.ts"
export {
  CONNECTION_KEYS,
  type ConnectionKey,
  type ConnectionKeys
} from "./snowflake/ConnectionKeys.ts"
export { isLoopbackHost } from "./snowflake/Endpoint.ts"
export type { Environment } from "./snowflake/Environment.ts"
export * from "./snowflake/ResolveConnection.ts"
export type {
  RunOptions,
  SnowflakeClient,
  StatementError,
  StatementResult
} from "./snowflake/SnowflakeClient.ts"
export * from "./snowflake/SnowflakeConnection.ts"
export { putFile } from "./snowflake/SnowflakePut.ts"
export {
  QUERY_TAG,
  SnowflakeSession,
  type SnowflakeSessionError,
  type SnowflakeSessionShape
} from "./snowflake/SnowflakeSession.ts"
export { snowflakeString } from "./snowflake/SnowflakeString.ts"
export { DEFAULT_SPCS_TOKEN_FILE } from "./snowflake/SpcsSessionToken.ts"
export * as SnowflakeStages from "./snowflake/stages/SnowflakeStages.ts"
