/**
 * One statement as the emulator sees it, what a statement handler gets to run it with, and what it
 * answers. Handlers live in one table (StatementTable); each recognises its statements by their
 * leading keywords.
 */
import type {
  CaseCollision,
  DatabaseBusy,
  EmulatorBadRequest,
  EmulatorSqlError,
  InvalidIdentifier,
  InvalidStageLocation,
  LocalFileError,
  SnowflakeStatementError,
  SqlError,
  StageFileError,
  UnsupportedStatement
} from "@runbatch/spec"
import type { Effect } from "effect"
import type { SessionNames } from "./DuckDbDialect.ts"
import type { QueryHistory } from "./QueryHistory.ts"
import type { ResultChunks } from "./ResultChunks.ts"
import type { RowTypeColumn } from "./RowTypes.ts"
import type { ParameterValue } from "./SessionParameters.ts"
import type { Workspace } from "./SessionSql.ts"
import type { SessionState } from "./Sessions.ts"
import { significant, type Token } from "./SqlTokens.ts"

export interface Statement {
  /** The statement's text as the client wrote it. */
  readonly text: string
  readonly tokens: ReadonlyArray<Token>
  /** Its tokens without whitespace and comments. */
  readonly words: ReadonlyArray<Token>
  /** Its leading words, upper case, one space apart (`CREATE OR REPLACE STAGE S`), for matching. */
  readonly keywords: string
  /** `INSERT … VALUES` whose one tuple array binds repeated: how many rows it holds. */
  readonly valuesRows?: number
}

export const statementOf = (text: string, tokens: ReadonlyArray<Token>): Statement => {
  const words = tokens.filter(significant)
  const leading: Array<string> = []
  for (const token of words) {
    if (token.kind !== "word" || leading.length === 6) break
    leading.push(token.text.toUpperCase())
  }
  return { text, tokens, words, keywords: leading.join(" ") }
}

export type StatementFailure =
  | SqlError
  | SnowflakeStatementError
  | DatabaseBusy
  | CaseCollision
  | EmulatorSqlError
  | EmulatorBadRequest
  | UnsupportedStatement
  | InvalidStageLocation
  | InvalidIdentifier
  | StageFileError
  | LocalFileError

/** Snowflake's statement type ids (the driver tells DML results by them). */
export const STATEMENT_TYPE = {
  select: 0x1000,
  insert: 0x3100,
  update: 0x3200,
  delete: 0x3300,
  ddl: 0x6000
} as const

export type StatementResult =
  /** Rows the handler made (listings, statuses): small, sent inline. */
  | {
      readonly _tag: "Rows"
      readonly rowtype: ReadonlyArray<RowTypeColumn>
      readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
      readonly statementTypeId: number
    }
  /** A DuckDB query whose rows stream into the response (QueryRows). */
  | { readonly _tag: "Query"; readonly duckDb: string; readonly describeOnly: boolean }
  /** PUT/GET: the transfer instructions the driver carries out itself (`data.command`, `stageInfo`…). */
  | { readonly _tag: "Transfer"; readonly data: Readonly<Record<string, unknown>> }

/** What a handler runs a statement with. */
export interface StatementContext {
  readonly home: string
  readonly account: string
  readonly session: SessionState
  readonly queryId: string
  /** The literals of the bind placeholders, by position. */
  readonly literals: ReadonlyMap<number, string>
  readonly describeOnly: boolean
  /** The session's Sql, stages and account for its current database and schema. */
  readonly workspace: Effect.Effect<Workspace>
  /** The same for another database and schema (SHOW … IN DATABASE). */
  readonly workspaceFor: (database: string, schema: string) => Effect.Effect<Workspace>
  readonly names: SessionNames
  readonly history: QueryHistory
  readonly chunks: ResultChunks
  /** A parameter as this statement sees it: the request's own, else the session's. */
  readonly parameter: (name: string) => ParameterValue | undefined
  /** Cancel a running statement of any session by its query id; false when none runs. */
  readonly cancelQuery: (queryId: string) => Effect.Effect<boolean>
}

export interface StatementHandler {
  /** What it handles, as its statements begin (`USE`, `SHOW TABLES`, `PUT`). */
  readonly kind: string
  /** Whether it handles this statement (most look at its leading keywords only). */
  readonly matches: (statement: Statement) => boolean
  readonly run: (
    statement: Statement,
    context: StatementContext
  ) => Effect.Effect<StatementResult, StatementFailure>
}
