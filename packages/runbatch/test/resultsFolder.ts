/**
 * A finished job's output folder written straight through the output committer (parts, commit
 * records, manifest, _SUCCESS), as a job would leave it, without running one: what the results export
 * tests read. Row i is id = i (int32), x = i / 2 (NaN every 1000th row), label (a quoted, comma-holding
 * text every 5th row) and half = i / 2 (NULL every 7th row).
 */
import { LocalAccount } from "@runbatch/account"
import { StageLocation } from "@runbatch/spec"
import { OutputCommitter, OutputLayout, SaveMode, StageStore } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Layer } from "effect"

export interface ResultsFolderOptions {
  /** The output folder, `@ML.PUBLIC.RESULTS/…/` (ML.PUBLIC is the account's current schema). */
  readonly location: string
  readonly parts: number
  readonly partRows: number
  /** Rows per row group; default the committer's (131,072, as jobs write them). */
  readonly rowGroupSize?: number
}

/** Row i's label: every 5th needs quoting in CSV. */
export const label = (i: number): string => (i % 5 === 0 ? `a, "b" ${i}` : `r${i}`)

const part = (from: number, rows: number): Arrow.Table => {
  const ids = Array.from({ length: rows }, (_, k) => from + k)
  return new Arrow.Table({
    id: Arrow.vectorFromArray(Int32Array.from(ids)),
    x: Arrow.vectorFromArray(Float64Array.from(ids, (i) => (i % 1000 === 1 ? Number.NaN : i * 0.5))),
    label: Arrow.vectorFromArray(ids.map(label), new Arrow.Utf8()),
    half: Arrow.vectorFromArray(
      ids.map((i) => (i % 7 === 0 ? null : i / 2)),
      new Arrow.Float64()
    )
  })
}

/** Write `parts × partRows` rows into `options.location` under `home`, finished (_SUCCESS). */
export const writeResultsFolder = (home: string, options: ResultsFolderOptions): Promise<void> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const job = "ML.PUBLIC.EXPORT"
      const layout = OutputLayout.make(yield* StageLocation.parse(options.location), job)
      yield* SaveMode.prepare({ layout, mode: "error", job })
      const committer = yield* OutputCommitter.make(
        options.rowGroupSize === undefined ? { layout } : { layout, rowGroupSize: options.rowGroupSize }
      )
      for (let shard = 0; shard < options.parts; shard++) {
        const table = part(shard * options.partRows, options.partRows)
        yield* committer.commitShard(yield* committer.writePart(shard, 0, table))
      }
      yield* committer.finalize(options.parts, {
        job,
        planFingerprint: "sha256:export",
        runbatchVersion: "0.1.0",
        startedAt: "2026-12-07T00:00:00Z",
        plugins: []
      })
    }).pipe(
      Effect.provide(
        StageStore.layerLocal().pipe(
          Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
        )
      )
    )
  )
