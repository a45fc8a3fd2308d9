import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { DatabaseBusy, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import { Sql } from "../../src/index.ts"
import { DATABASE, rowsOf, tempHome, withSql } from "../support.ts"

const packageDir = fileURLToPath(new URL("../..", import.meta.url))
const fixture = (name: string) => join(packageDir, "test", "fixtures", name)

interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const finished = (child: ChildProcess): Promise<Finished> =>
  new Promise((resolve, reject) => {
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

const node = (script: string, args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, [script, ...args], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] })

/** A child holding `file` locked read-write for `millis`; resolves once it holds the lock. */
const holdLock = async (file: string, millis: number) => {
  const child = node(fixture("hold-lock.mjs"), [file, String(millis)])
  const done = finished(child)
  const events: Array<string> = []
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        events.push(line)
        if (line === "ready") resolve()
      }
    })
    done.then((result) => reject(new Error(`holder exited early: ${result.stderr}`)), reject)
  })
  return { child, done, events }
}

describe("two processes on one home", () => {
  // The children import the built package (dist), as a CLI or a job's replica would; vitest's global
  // setup builds it first.
  it.live("child processes and this one write and read the same database at once", () =>
    Effect.gen(function* () {
      const home = tempHome()
      const perWriter = 30
      yield* withSql(
        home,
        Sql.use((sql) => sql.execute("CREATE TABLE events (writer VARCHAR, n INTEGER)"))
      )
      const children = ["child-a", "child-b"].map((writer) =>
        finished(node(fixture("writer.mjs"), [home, writer, String(perWriter)]))
      )
      const parentReads = yield* withSql(
        home,
        Sql.use((sql) =>
          Effect.gen(function* () {
            let reads = 0
            for (let n = 0; n < perWriter; n++) {
              yield* sql.execute(`INSERT INTO events VALUES ('parent', ${n})`)
              const table = yield* sql.query("SELECT count(*) AS c FROM ML.PUBLIC.events")
              if (Number(table.getChild("c")?.get(0)) > 0) reads++
            }
            return reads
          })
        )
      )
      const results = yield* Effect.promise(() => Promise.all(children))
      for (const result of results) {
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(JSON.parse(result.stdout.trim())).toMatchObject({ wrote: perWriter, reads: perWriter })
      }
      expect(parentReads).toBe(perWriter)
      const counts = yield* withSql(
        home,
        Sql.use((sql) =>
          sql.query(
            "SELECT writer, count(*)::INTEGER AS rows, count(DISTINCT n)::INTEGER AS distinct_n FROM events GROUP BY writer ORDER BY writer"
          )
        )
      )
      expect(rowsOf(counts)).toEqual([
        { writer: "child-a", rows: perWriter, distinct_n: perWriter },
        { writer: "child-b", rows: perWriter, distinct_n: perWriter },
        { writer: "parent", rows: perWriter, distinct_n: perWriter }
      ])
    })
  )

  it.live("an operation waits while another process holds the database, then runs", () =>
    Effect.gen(function* () {
      const home = tempHome()
      yield* withSql(
        home,
        Sql.use((sql) => sql.execute("CREATE TABLE t (x INTEGER)"))
      )
      const holder = yield* Effect.promise(() => holdLock(LocalLayout.databaseFile(home, DATABASE), 1500))
      const released = () => holder.events.includes("released")
      yield* withSql(
        home,
        Sql.use((sql) => sql.execute("INSERT INTO t VALUES (1)")),
        { lockWaitMillis: 60_000 }
      )
      // The insert could only run after the other process let go of the file.
      expect(released()).toBe(true)
      expect((yield* Effect.promise(() => holder.done)).code).toBe(0)
      const table = yield* withSql(
        home,
        Sql.use((sql) => sql.query("SELECT x FROM t"))
      )
      expect(rowsOf(table)).toEqual([{ x: 1 }])
    })
  )

  it.live("DatabaseBusy when the database stays locked past the wait window, for writes and reads", () =>
    Effect.gen(function* () {
      const home = tempHome()
      yield* withSql(
        home,
        Sql.use((sql) => sql.execute("CREATE TABLE t (x INTEGER)"))
      )
      const holder = yield* Effect.promise(() => holdLock(LocalLayout.databaseFile(home, DATABASE), 60_000))
      try {
        const write = yield* Effect.flip(
          withSql(
            home,
            Sql.use((sql) => sql.execute("INSERT INTO t VALUES (1)")),
            { lockWaitMillis: 300 }
          )
        )
        expect(write).toBeInstanceOf(DatabaseBusy)
        expect(write).toMatchObject({ database: DATABASE })
        expect((write as DatabaseBusy).waitedMillis).toBeGreaterThanOrEqual(300)
        const read = yield* Effect.flip(
          withSql(
            home,
            Sql.use((sql) => Effect.flatMap(sql.table("t"), (t) => t.count)),
            { lockWaitMillis: 300 }
          )
        )
        expect(read).toBeInstanceOf(DatabaseBusy)
      } finally {
        holder.child.kill()
        yield* Effect.promise(() => holder.done)
      }
      const count = yield* withSql(
        home,
        Sql.use((sql) => Effect.flatMap(sql.table("t"), (t) => t.count))
      )
      expect(count).toBe(0)
    })
  )

  it.live("two sessions in this process write one database at the same time", () =>
    Effect.gen(function* () {
      const home = tempHome()
      yield* withSql(
        home,
        Sql.use((sql) => sql.execute("CREATE TABLE events (writer VARCHAR, n INTEGER)"))
      )
      const writer = (name: string) =>
        withSql(
          home,
          Sql.use((sql) =>
            Effect.forEach(
              Array.from({ length: 20 }, (_, n) => n),
              (n) =>
                Effect.andThen(
                  sql.execute(`INSERT INTO events VALUES ('${name}', ${n})`),
                  sql.query("SELECT count(*) FROM events")
                ),
              { discard: true }
            )
          )
        )
      yield* Effect.all([writer("a"), writer("b"), writer("c")], { concurrency: "unbounded" })
      const counts = yield* withSql(
        home,
        Sql.use((sql) =>
          sql.query(
            "SELECT writer, count(DISTINCT n)::INTEGER AS n FROM events GROUP BY writer ORDER BY writer"
          )
        )
      )
      expect(rowsOf(counts)).toEqual([
        { writer: "a", n: 20 },
        { writer: "b", n: 20 },
        { writer: "c", n: 20 }
      ])
    })
  )

  it.live("readers in two processes share a database", () =>
    Effect.gen(function* () {
      const home = tempHome()
      yield* withSql(
        home,
        Sql.use((sql) => sql.execute("CREATE TABLE t AS SELECT range AS x FROM range(10)"))
      )
      const file = LocalLayout.databaseFile(home, DATABASE)
      // A read-only holder in another process does not block our reads.
      const child = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { DuckDBInstance } from "@duckdb/node-api"
const i = await DuckDBInstance.create(":memory:", { autoinstall_known_extensions: "false", autoload_known_extensions: "false" })
const c = await i.connect()
await c.run(${JSON.stringify(`ATTACH '${file.replace(/'/g, "''")}' AS held (READ_ONLY)`)})
console.log("ready")
setTimeout(() => { c.closeSync(); i.closeSync() }, 60000)`
        ],
        { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] }
      )
      const done = finished(child)
      try {
        yield* Effect.promise(
          () =>
            new Promise<void>((resolve) =>
              child.stdout?.on("data", (c: Buffer) => c.toString().includes("ready") && resolve())
            )
        )
        const count = yield* withSql(
          home,
          Sql.use((sql) => Effect.flatMap(sql.table("t"), (t) => t.count)),
          {
            lockWaitMillis: 300
          }
        )
        expect(count).toBe(10)
      } finally {
        child.kill()
        yield* Effect.promise(() => done)
      }
    })
  )
})
