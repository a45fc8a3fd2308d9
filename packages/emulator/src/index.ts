/**
 * @runbatch/emulator — a Snowflake-protocol server over the embedded local account: the real
 * snowflake-sdk logs in, runs SQL on the account's DuckDB files and PUTs and GETs its stage folders.
 * `Emulator.start({ home })` (scoped) or `startEmulator({ home })` (a Promise); `runbatch emulator`
 * on the command line. See docs/snowflake.md, "The emulator".
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export { type MintOptions, mintToken, type TokenKind } from "./Credentials.ts"
export * as Emulator from "./Emulator.ts"
export {
  DEFAULT_ACCOUNT,
  DEFAULT_HOST,
  type EmulatorOptions,
  type RunningEmulator,
  startEmulator
} from "./Emulator.ts"
export { DEFAULT_PASSWORD } from "./Login.ts"
export type { HistoryEntry } from "./QueryHistory.ts"
export { redact } from "./QueryHistory.ts"
export type { RowTypeColumn, SnowflakeType } from "./RowTypes.ts"
export type {
  Statement,
  StatementContext,
  StatementFailure,
  StatementHandler,
  StatementResult
} from "./Statement.ts"
export { kindOf, runStatement, STATEMENT_HANDLERS } from "./StatementTable.ts"
