/**
 * Compute pools, as far as a job launcher needs them:
 *
 * - `CREATE COMPUTE POOL [IF NOT EXISTS] p MIN_NODES = n MAX_NODES = n INSTANCE_FAMILY = F
 *   [AUTO_RESUME = b] [INITIALLY_SUSPENDED = b] [AUTO_SUSPEND_SECS = n] [COMMENT = '…']`
 * - `SHOW COMPUTE POOLS [LIKE 'p']`, `DESCRIBE COMPUTE POOL p`, `DROP COMPUTE POOL [IF EXISTS] p`
 *
 * The instance family must be one of AWS's (InstanceFamilies): the emulator checks a job's requests
 * against a node of it. SHOW's columns follow Snowflake's documented names; their full order is not
 * confirmed on a real account.
 */
import { EmulatorSqlError, Identifier, InstanceFamilies } from "@runbatch/spec"
import { Effect } from "effect"
import * as ComputePools from "../ComputePools.ts"
import { column } from "../RowTypes.ts"
import { isWord } from "../SqlTokens.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { epochText, rows, status } from "../StatementRows.ts"
import { likePattern, matches } from "./Databases.ts"
import { nameAt } from "./SessionStatements.ts"
import { optionsFrom, syntaxError } from "./StageSyntax.ts"

const OPTIONS = new Set([
  "MIN_NODES",
  "MAX_NODES",
  "INSTANCE_FAMILY",
  "AUTO_RESUME",
  "INITIALLY_SUSPENDED",
  "AUTO_SUSPEND_SECS",
  "COMMENT"
])

const poolMissing = (statement: Statement, name: string) =>
  new EmulatorSqlError({
    statement: statement.text,
    code: "002003",
    sqlState: "02000",
    reason: `SQL compilation error:\nCompute pool '${Identifier.format(name)}' does not exist or not authorized. Create it with CREATE COMPUTE POOL ${Identifier.format(name)} MIN_NODES = 1 MAX_NODES = 1 INSTANCE_FAMILY = CPU_X64_S.`
  })

/** The pool a statement names at word `from`, after an optional IF [NOT] EXISTS. */
const poolNamed = (statement: Statement, from: number) =>
  Effect.gen(function* () {
    const words = statement.words
    let at = from
    const conditional = isWord(words[at], "IF")
    if (conditional) at += isWord(words[at + 1], "NOT") ? 3 : 2
    const name = nameAt(words, at)
    if (name.text === "") return yield* syntaxError(statement, "the compute pool's name is missing")
    return { name: yield* Identifier.resolve(name.text), end: name.end, conditional }
  })

const wholeNumber = (statement: Statement, option: string, text: string | undefined, minimum: number) =>
  text !== undefined && /^\d+$/.test(text) && Number(text) >= minimum
    ? Effect.succeed(Number(text))
    : Effect.fail(
        new EmulatorSqlError({
          statement: statement.text,
          code: "001008",
          sqlState: "22023",
          reason: `${option} must be a whole number of at least ${minimum}${text === undefined ? " and is required" : `, got ${text}`}.`
        })
      )

export const createComputePool: StatementHandler = {
  kind: "CREATE COMPUTE POOL",
  matches: ({ keywords }) => keywords.startsWith("CREATE COMPUTE POOL"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { name, end, conditional } = yield* poolNamed(statement, 3)
      const options = yield* optionsFrom(statement, statement.words, end)
      const unknown = [...options.keys()].filter((key) => !OPTIONS.has(key))
      if (unknown.length > 0)
        return yield* syntaxError(
          statement,
          `the emulator's CREATE COMPUTE POOL takes ${[...OPTIONS].join(", ")}; not ${unknown.join(", ")}`
        )
      const minNodes = yield* wholeNumber(statement, "MIN_NODES", options.get("MIN_NODES"), 1)
      const maxNodes = yield* wholeNumber(statement, "MAX_NODES", options.get("MAX_NODES"), 1)
      if (maxNodes < minNodes)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "001008",
          sqlState: "22023",
          reason: `MAX_NODES (${maxNodes}) must be at least MIN_NODES (${minNodes}).`
        })
      const family = options.get("INSTANCE_FAMILY")
      if (family === undefined || InstanceFamilies.nodeOf(family, "aws") === undefined)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "001008",
          sqlState: "22023",
          reason: `INSTANCE_FAMILY ${family === undefined ? "is required" : `${family} is not an instance family`}; one of ${Object.keys(InstanceFamilies.families("aws")).join(", ")}.`
        })
      if ((yield* Effect.promise(() => ComputePools.find(context.home, name))) !== undefined) {
        if (conditional) return status(`${name} already exists, statement succeeded.`)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "002002",
          sqlState: "42710",
          reason: `SQL compilation error:\nObject '${Identifier.format(name)}' already exists.`
        })
      }
      yield* Effect.promise(() =>
        ComputePools.save(context.home, {
          name,
          instanceFamily: family.toUpperCase(),
          minNodes,
          maxNodes,
          autoResume: options.get("AUTO_RESUME") !== "FALSE",
          autoSuspendSecs: Number(options.get("AUTO_SUSPEND_SECS") ?? 3600),
          comment: options.get("COMMENT") ?? "",
          createdOn: new Date().toISOString()
        })
      )
      return status(`Compute pool ${name} successfully created.`)
    })
}

const poolColumns = [
  ["name", "text"],
  ["state", "text"],
  column("min_nodes", "fixed", { precision: 38 }),
  column("max_nodes", "fixed", { precision: 38 }),
  ["instance_family", "text"],
  column("num_services", "fixed", { precision: 38 }),
  column("num_jobs", "fixed", { precision: 38 }),
  column("auto_suspend_secs", "fixed", { precision: 38 }),
  ["auto_resume", "text"],
  column("active_nodes", "fixed", { precision: 38 }),
  column("idle_nodes", "fixed", { precision: 38 }),
  column("target_nodes", "fixed", { precision: 38 }),
  ["created_on", "timestamp_ltz"],
  ["owner", "text"],
  ["comment", "text"]
] as const

const poolRow = (pool: ComputePools.ComputePool, context: StatementContext) => [
  pool.name,
  "IDLE",
  String(pool.minNodes),
  String(pool.maxNodes),
  pool.instanceFamily,
  "0",
  "0",
  String(pool.autoSuspendSecs),
  String(pool.autoResume),
  "0",
  String(pool.minNodes),
  String(pool.minNodes),
  epochText(new Date(pool.createdOn)),
  context.session.role,
  pool.comment
]

export const showComputePools: StatementHandler = {
  kind: "SHOW COMPUTE POOLS",
  matches: ({ keywords }) => keywords.startsWith("SHOW COMPUTE POOLS"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const like = statement.words[3]
      if (like !== undefined && !isWord(like, "LIKE"))
        return yield* syntaxError(statement, "SHOW COMPUTE POOLS takes only LIKE 'pattern'")
      const pattern = statement.words[4]
      if (like !== undefined && pattern?.kind !== "string")
        return yield* syntaxError(statement, "LIKE takes a quoted pattern")
      const regex = pattern?.kind === "string" ? likePattern(pattern.value) : undefined
      const pools = yield* Effect.promise(() => ComputePools.list(context.home))
      return rows(
        poolColumns,
        pools.filter((pool) => matches(regex, pool.name)).map((pool) => poolRow(pool, context))
      )
    })
}

export const describeComputePool: StatementHandler = {
  kind: "DESCRIBE COMPUTE POOL",
  matches: ({ keywords }) => /^(DESC|DESCRIBE) COMPUTE POOL\b/.test(keywords),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { name } = yield* poolNamed(statement, 3)
      const pool = yield* Effect.promise(() => ComputePools.find(context.home, name))
      if (pool === undefined) return yield* poolMissing(statement, name)
      return rows(poolColumns, [poolRow(pool, context)])
    })
}

export const dropComputePool: StatementHandler = {
  kind: "DROP COMPUTE POOL",
  matches: ({ keywords }) => keywords.startsWith("DROP COMPUTE POOL"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { name, conditional } = yield* poolNamed(statement, 3)
      const dropped = yield* Effect.promise(() => ComputePools.drop(context.home, name))
      if (!dropped && !conditional) return yield* poolMissing(statement, name)
      return status(
        dropped
          ? `${name} successfully dropped.`
          : `Drop statement executed successfully (${name} already dropped).`
      )
    })
}
