import type { Benchmark } from "../benchmark.ts"
import { bestOfAlternating } from "../rounds.ts"

/**
 * `Relation.materialize` (what a job does with its input) against a plain DuckDB
 * `COPY (query) TO file (FORMAT parquet)` of the same query with the same compression: the ratio
 * shows what the session adds (opening the account per operation, the schema and case checks, the
 * row count that sizes row groups, reading the row groups back and enumerating shards).
 */
export const materialize: Benchmark = {
  name: "materialize",
  reference:
    "plain DuckDB COPY (query) TO file (FORMAT parquet, COMPRESSION snappy), same query, same process",
  description:
    "Materialise a query of 10M rows × 14 numeric columns (7 integer, 7 double) as parquet + shards",
  run: async ({ quick }) => {
    const { mkdtempSync, rmSync, statSync } = await import("node:fs")
    const { tmpdir } = await import("node:os")
    const { join } = await import("node:path")
    const { DuckDBInstance } = await import("@duckdb/node-api")
    const { Effect } = await import("effect")
    const { Sql } = await import("@runbatch/session")
    const { StageLocation } = await import("@runbatch/spec")

    const rows = quick ? 1_000_000 : 10_000_000
    const targetShards = 16
    const repetitions = 4
    const query = (n: number) =>
      `SELECT range AS id, (range % 1000)::INTEGER AS i1, (range * 7)::BIGINT AS i2, (range // 3)::INTEGER AS i3, ` +
      `(range % 97)::SMALLINT AS i4, (range * 31 + 5)::BIGINT AS i5, (range % 65536)::INTEGER AS i6, ` +
      `range::DOUBLE * 0.5 AS d1, range::DOUBLE / 3 AS d2, (range % 1000)::DOUBLE * 1.25 AS d3, ` +
      `range::DOUBLE + 0.125 AS d4, (range * 3)::DOUBLE / 7 AS d5, (range % 100)::DOUBLE / 8 AS d6, ` +
      `range::DOUBLE * 2.5 - 1 AS d7 FROM range(${n})`

    const scratch = mkdtempSync(join(tmpdir(), "runbatch-bench-materialize-"))
    const instance = await DuckDBInstance.create(":memory:", {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false"
    })
    const connection = await instance.connect()
    try {
      const reference = async (n: number, label: string): Promise<number> => {
        const file = join(scratch, `reference-${label}.parquet`)
        const started = performance.now()
        await connection.run(`COPY (${query(n)}) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`)
        const seconds = (performance.now() - started) / 1000
        statSync(file)
        return seconds
      }
      const layer = Sql.layerLocalAccount({
        home: join(scratch, "home"),
        database: "BENCH",
        schema: "PUBLIC"
      })
      const session = (n: number, label: string) =>
        Effect.runPromise(
          Effect.gen(function* () {
            const sql = yield* Sql
            const target = yield* StageLocation.parse(`@BENCH.PUBLIC.JOBS/${label}/input/`)
            const started = performance.now()
            const result = yield* sql
              .sql(query(n))
              .materialize(target, { targetShards, compression: "snappy" })
            return { seconds: (performance.now() - started) / 1000, result }
          }).pipe(Effect.provide(layer))
        )

      // Warm both paths the same way (extension init, allocator) before the timed rounds.
      await reference(100_000, "warm")
      await session(100_000, "warm")
      let last: Awaited<ReturnType<typeof session>> | undefined
      const best = await bestOfAlternating(
        repetitions,
        async (round) => {
          last = await session(rows, `run-${round}`)
          return last.seconds
        },
        (round) => reference(rows, `run-${round}`)
      )
      const materialized = last!.result
      const bestReference = best.referenceSeconds
      return {
        rows: materialized.rows,
        seconds: best.subjectSeconds,
        referenceRowsPerSecond: rows / bestReference,
        extra: {
          columns: 14,
          compression: "snappy",
          targetShards,
          files: materialized.files.length,
          shards: materialized.shards.length,
          rowGroups: materialized.files.reduce((sum, f) => sum + f.rowGroups.length, 0),
          rowGroupRows: materialized.files[0]?.rowGroups[0] ?? 0,
          bytes: materialized.files.reduce((sum, f) => sum + f.bytes, 0),
          referenceSeconds: best.referenceSeconds,
          repetitions,
          best: "fastest of the alternating rounds"
        }
      }
    } finally {
      connection.closeSync()
      instance.closeSync()
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
