/**
 * Statements about the session itself: `USE DATABASE/SCHEMA/WAREHOUSE/ROLE`, `ALTER SESSION SET/UNSET`
 * and `SELECT CURRENT_DATABASE(), …` on its own. A database or schema that has no file yet is accepted,
 * as the local account creates databases and schemas on first use.
 */
import { EmulatorSqlError, Identifier } from "@runbatch/spec"
import { Effect } from "effect"
import type { SessionNames } from "../DuckDbDialect.ts"
import { parseValue } from "../SessionParameters.ts"
import { isSymbol, isWord, render, type Token } from "../SqlTokens.ts"
import type { Statement, StatementHandler } from "../Statement.ts"
import { rows, status } from "../StatementRows.ts"

const syntax = (statement: Statement, reason: string) =>
  new EmulatorSqlError({ statement: statement.text, code: "001003", sqlState: "42000", reason })

/** The dotted name starting at `words[from]` (`db.schema`, `"My DB"`), as written, and where it ends. */
export const nameAt = (words: ReadonlyArray<Token>, from: number): { text: string; end: number } => {
  let end = from
  let text = ""
  while (end < words.length) {
    const token = words[end]!
    if (token.kind === "word" || token.kind === "quoted") text += token.text
    else break
    end++
    if (isSymbol(words[end], ".")) {
      text += "."
      end++
    } else break
  }
  return { text, end }
}

export const useStatement: StatementHandler = {
  kind: "USE",
  matches: ({ keywords }) => keywords === "USE" || keywords.startsWith("USE "),
  run: (statement, { session }) =>
    Effect.gen(function* () {
      const words = statement.words
      const objectKind = ["DATABASE", "SCHEMA", "WAREHOUSE", "ROLE"].find((kind) => isWord(words[1], kind))
      const name = nameAt(words, objectKind === undefined ? 1 : 2)
      if (name.text === "" || name.end !== words.length)
        return yield* syntax(statement, `USE takes one name: USE [DATABASE|SCHEMA|WAREHOUSE|ROLE] name`)
      const parts = yield* Identifier.parseQualified(name.text)
      switch (objectKind ?? "DATABASE") {
        case "DATABASE":
          if (parts.schema !== undefined) return yield* syntax(statement, `a database name has one part`)
          session.database = parts.name
          session.schema = "PUBLIC"
          break
        case "SCHEMA":
          if (parts.database !== undefined)
            return yield* syntax(statement, `a schema name has at most two parts`)
          if (parts.schema !== undefined) session.database = parts.schema
          session.schema = parts.name
          break
        case "WAREHOUSE":
          session.warehouse = parts.name
          break
        case "ROLE":
          session.role = parts.name
          break
      }
      return status("Statement executed successfully.")
    })
}

export const alterSessionStatement: StatementHandler = {
  kind: "ALTER SESSION",
  matches: ({ keywords }) => keywords.startsWith("ALTER SESSION "),
  run: (statement, { session }) =>
    Effect.gen(function* () {
      const words = statement.words
      if (isWord(words[2], "UNSET")) {
        for (const token of words.slice(3))
          if (token.kind === "word") session.parameters.delete(token.text.toUpperCase())
        return status("Statement executed successfully.")
      }
      if (!isWord(words[2], "SET"))
        return yield* syntax(
          statement,
          "write ALTER SESSION SET NAME = value [NAME = value …] or ALTER SESSION UNSET NAME"
        )
      let i = 3
      while (i < words.length) {
        const name = words[i]
        if (name?.kind !== "word" || !isSymbol(words[i + 1], "="))
          return yield* syntax(statement, `expected NAME = value at '${render(words.slice(i, i + 3))}'`)
        const value = words[i + 2]
        if (value === undefined) return yield* syntax(statement, `${name.text} has no value`)
        session.parameters.set(
          name.text.toUpperCase(),
          value.kind === "string" ? value.value : parseValue(value.text)
        )
        i += 3
        if (isSymbol(words[i], ",")) i++
      }
      return status("Statement executed successfully.")
    })
}

const CONTEXT_FUNCTIONS: Readonly<Record<string, (names: SessionNames) => string | null>> = {
  CURRENT_DATABASE: (n) => n.database,
  CURRENT_SCHEMA: (n) => n.schema,
  CURRENT_WAREHOUSE: (n) => n.warehouse ?? null,
  CURRENT_ROLE: (n) => n.role,
  CURRENT_USER: (n) => n.user,
  CURRENT_ACCOUNT: (n) => n.account,
  CURRENT_ACCOUNT_NAME: (n) => n.account,
  CURRENT_SESSION: (n) => n.sessionId,
  CURRENT_REGION: () => "LOCAL"
}

/** `SELECT f() [AS a], …` where every item is a context function: its column names as Snowflake gives them. */
const contextSelect = (words: ReadonlyArray<Token>) => {
  const items: Array<{ fn: string; name: string }> = []
  let i = 1
  while (i < words.length) {
    const fn = words[i]
    if (fn?.kind !== "word" || CONTEXT_FUNCTIONS[fn.text.toUpperCase()] === undefined) return undefined
    if (!isSymbol(words[i + 1], "(") || !isSymbol(words[i + 2], ")")) return undefined
    let name = `${fn.text.toUpperCase()}()`
    i += 3
    if (isWord(words[i], "AS")) i++
    const alias = words[i]
    if (alias !== undefined && (alias.kind === "word" || alias.kind === "quoted")) {
      name = alias.kind === "word" ? alias.text.toUpperCase() : alias.text.slice(1, -1).replace(/""/g, '"')
      i++
    }
    items.push({ fn: fn.text.toUpperCase(), name })
    if (i === words.length) break
    if (!isSymbol(words[i], ",")) return undefined
    i++
  }
  return items.length === 0 ? undefined : items
}

export const contextFunctionsStatement: StatementHandler = {
  kind: "SELECT CURRENT_…()",
  // Anything more (a FROM, an expression) is an ordinary query, where the functions become literals.
  matches: (statement) =>
    statement.keywords.startsWith("SELECT CURRENT_") && contextSelect(statement.words) !== undefined,
  run: (statement, context) => {
    const items = contextSelect(statement.words) ?? []
    return Effect.succeed(
      rows(
        items.map((item) => [item.name, "text"] as const),
        [items.map((item) => CONTEXT_FUNCTIONS[item.fn]!(context.names))]
      )
    )
  }
}
