/**
 * Databases, schemas, tables and views as Snowflake lists them: `SHOW DATABASES`, `SHOW SCHEMAS [IN
 * DATABASE d]`, `SHOW TABLES | VIEWS [LIKE 'p'] [IN SCHEMA d.s | IN DATABASE d]` (lower-case column names, as
 * Snowflake's), and `CREATE DATABASE [IF NOT EXISTS] d`, which makes the database file and, as
 * Snowflake does, makes it current.
 */
import { readdir } from "node:fs/promises"
import { Identifier, LocalLayout, UnsupportedStatement } from "@runbatch/spec"
import { Effect } from "effect"
import { isWord, type Token } from "../SqlTokens.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { epochText, rows, status } from "../StatementRows.ts"
import { nameAt } from "./SessionStatements.ts"
import { syntaxError } from "./StageSyntax.ts"
import { createdOn } from "./Stages.ts"

/** Databases that have a file, sorted. */
const databases = (home: string) =>
  Effect.promise(() =>
    readdir(LocalLayout.warehouseDir(home)).then(
      (names) =>
        names
          .filter((name) => name.endsWith(".duckdb"))
          .map((name) => LocalLayout.fromSegment(name.slice(0, -".duckdb".length)))
          .sort(),
      () => [] as Array<string>
    )
  )

/** A SQL LIKE pattern (`%`, `_`, case-insensitive as SHOW matches) as a regular expression. */
export const likePattern = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+*?^${}()|[\]\\]/g, "\\$&")
      .replace(/%/g, ".*")
      .replace(/_/g, ".")}$`,
    "is"
  )

/** `LIKE 'p'` and `IN [ACCOUNT | DATABASE d | SCHEMA [d.]s | d.s]` of a SHOW statement. */
export const showScope = (statement: Statement, context: StatementContext, from: number) =>
  Effect.gen(function* () {
    const words = statement.words
    let i = from
    let like: RegExp | undefined
    let database = context.session.database
    let schema: string | undefined = context.session.schema
    while (i < words.length) {
      const token: Token = words[i]!
      if (isWord(token, "LIKE")) {
        const pattern = words[i + 1]
        if (pattern?.kind !== "string") return yield* syntaxError(statement, "LIKE takes a quoted pattern")
        like = likePattern(pattern.value)
        i += 2
      } else if (isWord(token, "IN")) {
        i++
        if (isWord(words[i], "ACCOUNT")) {
          schema = undefined
          i++
          continue
        }
        const kind = isWord(words[i], "DATABASE")
          ? "DATABASE"
          : isWord(words[i], "SCHEMA")
            ? "SCHEMA"
            : undefined
        if (kind !== undefined) i++
        const name = nameAt(words, i)
        if (name.text === "") return yield* syntaxError(statement, "IN takes a database or schema name")
        const parts = yield* Identifier.parseQualified(name.text)
        if (kind === "DATABASE") {
          database = parts.name
          schema = undefined
        } else {
          database = parts.schema ?? context.session.database
          schema = parts.name
        }
        i = name.end
      } else if (isWord(token, "TERSE") || isWord(token, "HISTORY")) i++
      else return yield* syntaxError(statement, `unexpected '${token.text}' in SHOW`)
    }
    return { like, database, schema }
  })

export const matches = (like: RegExp | undefined, name: string) => like === undefined || like.test(name)

export const showDatabases: StatementHandler = {
  kind: "SHOW DATABASES",
  matches: ({ keywords }) => /^SHOW (TERSE )?DATABASES\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { like } = yield* showScope(statement, context, statement.keywords.includes("TERSE") ? 3 : 2)
      const names = [...new Set([...(yield* databases(context.home)), context.session.database])].sort()
      const now = epochText(new Date())
      return rows(
        [
          createdOn,
          ["name", "text"],
          ["is_default", "text"],
          ["is_current", "text"],
          ["origin", "text"],
          ["owner", "text"],
          ["comment", "text"],
          ["options", "text"],
          ["retention_time", "text"],
          ["kind", "text"]
        ],
        names
          .filter((name) => matches(like, name))
          .map((name) => [
            now,
            name,
            "N",
            name === context.session.database ? "Y" : "N",
            "",
            context.session.role,
            "",
            "",
            "1",
            "STANDARD"
          ])
      )
    })
}

export const showSchemas: StatementHandler = {
  kind: "SHOW SCHEMAS",
  matches: ({ keywords }) => /^SHOW (TERSE )?SCHEMAS\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const scope = yield* showScope(statement, context, statement.keywords.includes("TERSE") ? 3 : 2)
      const workspace = yield* context.workspaceFor(scope.database, context.session.schema)
      const table = yield* workspace.sql.query(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() AND NOT internal ORDER BY schema_name"
      )
      const names = Array.from({ length: table.numRows }, (_, i) => String(table.getChildAt(0)?.get(i)))
      const now = epochText(new Date())
      return rows(
        [
          createdOn,
          ["name", "text"],
          ["is_default", "text"],
          ["is_current", "text"],
          ["database_name", "text"],
          ["owner", "text"],
          ["comment", "text"],
          ["options", "text"],
          ["retention_time", "text"]
        ],
        names
          .filter((name) => name !== "main" && matches(scope.like, name))
          .map((name) => [
            now,
            name,
            "N",
            scope.database === context.session.database && name === context.session.schema ? "Y" : "N",
            scope.database,
            context.session.role,
            "",
            "",
            "1"
          ])
      )
    })
}

export const showTables: StatementHandler = {
  kind: "SHOW TABLES",
  matches: ({ keywords }) => /^SHOW (TERSE )?TABLES\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const scope = yield* showScope(statement, context, statement.keywords.includes("TERSE") ? 3 : 2)
      const workspace = yield* context.workspaceFor(scope.database, context.session.schema)
      const schemas =
        scope.schema === undefined
          ? yield* Effect.map(
              workspace.sql.query(
                "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() AND NOT internal"
              ),
              (t) => Array.from({ length: t.numRows }, (_, i) => String(t.getChildAt(0)?.get(i)))
            )
          : [scope.schema]
      const tables = (yield* Effect.forEach(schemas, (schema) =>
        workspace.sql.listTables(Identifier.formatQualified({ database: scope.database, name: schema }))
      )).flat()
      const now = epochText(new Date())
      return rows(
        [
          createdOn,
          ["name", "text"],
          ["database_name", "text"],
          ["schema_name", "text"],
          ["kind", "text"],
          ["comment", "text"],
          ["cluster_by", "text"],
          ["rows", "fixed"],
          ["bytes", "fixed"],
          ["owner", "text"],
          ["retention_time", "text"]
        ],
        tables.flatMap((qualified) => {
          const [database, schema, name] = Identifier.splitParts(qualified).map((part) =>
            Effect.runSync(Identifier.resolve(part).pipe(Effect.orElseSucceed(() => part)))
          )
          return name !== undefined && matches(scope.like, name)
            ? [[now, name, database!, schema!, "TABLE", "", "", null, null, context.session.role, "1"]]
            : []
        })
      )
    })
}

export const createDatabase: StatementHandler = {
  kind: "CREATE DATABASE",
  matches: ({ keywords }) => /^CREATE (OR REPLACE )?(TRANSIENT )?DATABASE\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      if (statement.keywords.includes(" OR REPLACE "))
        return yield* new UnsupportedStatement({
          statement: statement.text,
          kind: "CREATE OR REPLACE DATABASE",
          hint: "The emulator never deletes a database file; drop its tables, or use another home"
        })
      const words = statement.words
      let at = words.findIndex((t) => isWord(t, "DATABASE")) + 1
      const ifNotExists = isWord(words[at], "IF")
      if (ifNotExists) at += 3
      const name = nameAt(words, at)
      if (name.text === "") return yield* syntaxError(statement, "the database name is missing")
      const database = yield* Identifier.resolve(name.text)
      const existed = (yield* databases(context.home)).includes(database)
      if (existed && !ifNotExists)
        return yield* syntaxError(statement, `Object '${Identifier.format(database)}' already exists.`)
      // Writing to it creates its file and its PUBLIC schema.
      const workspace = yield* context.workspaceFor(database, "PUBLIC")
      yield* workspace.sql.execute(`CREATE SCHEMA IF NOT EXISTS ${Identifier.quote("PUBLIC")}`)
      context.session.database = database
      context.session.schema = "PUBLIC"
      return status(
        existed
          ? `${database} already exists, statement succeeded.`
          : `Database ${database} successfully created.`
      )
    })
}

export const showViews: StatementHandler = {
  kind: "SHOW VIEWS",
  matches: ({ keywords }) => /^SHOW (TERSE )?VIEWS\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const scope = yield* showScope(statement, context, statement.keywords.includes("TERSE") ? 3 : 2)
      const workspace = yield* context.workspaceFor(scope.database, context.session.schema)
      const found = yield* workspace.sql.query(
        `SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal${
          scope.schema === undefined ? "" : ` AND schema_name = '${scope.schema.replace(/'/g, "''")}'`
        } ORDER BY schema_name, view_name`
      )
      const now = epochText(new Date())
      return rows(
        [createdOn, ["name", "text"], ["database_name", "text"], ["schema_name", "text"], ["owner", "text"]],
        Array.from({ length: found.numRows }, (_, i) => [
          String(found.getChildAt(0)?.get(i)),
          String(found.getChildAt(1)?.get(i))
        ])
          .filter(([, name]) => matches(scope.like, name!))
          .map(([schema, name]) => [now, name!, scope.database, schema!, context.session.role])
      )
    })
}
