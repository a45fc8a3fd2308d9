/**
 * A finished job's output folder of any size, written straight through the output committer (parts,
 * commit records, manifest, _SUCCESS) without running a job: what `runbatch results` export is measured
 * on (docs/performance.md, "Results export").
 *
 *   node tools/bench/dist/results-fixture.js --home DIR [--rows 10000000] [--part-rows 500000]
 *
 * writes @ML.PUBLIC.RESULTS/export/ under DIR: columns id (int64), x (float64, with a NaN and ±inf now
 * and then), label (text) and score (float32, NULL every 97th row).
 */
import { parseArgs } from "node:util"
import { LocalAccount } from "@runbatch/account"
import { StageLocation } from "@runbatch/spec"
import { OutputCommitter, OutputLayout, SaveMode, StageStore } from "@runbatch/stage-io"
import * as Arrow from "apache-arrow"
import { Effect, Layer } from "effect"

const JOB = "ML.PUBLIC.EXPORT_FIXTURE"
const LABELS = Array.from({ length: 50 }, (_, i) => `label-${i}, "quoted" ${i}`)

const part = (from: number, rows: number): Arrow.Table => {
  const id = new BigInt64Array(rows)
  const x = new Float64Array(rows)
  const labels = new Array<string>(rows)
  const scores = new Array<number | null>(rows)
  for (let i = 0; i < rows; i++) {
    const n = from + i
    id[i] = BigInt(n)
    x[i] = n % 1000 === 7 ? Number.NaN : n % 1000 === 8 ? Number.POSITIVE_INFINITY : Math.sin(n) * 1000
    labels[i] = LABELS[n % LABELS.length]!
    scores[i] = n % 97 === 0 ? null : Math.fround(Math.cos(n))
  }
  return new Arrow.Table({
    id: Arrow.makeVector(id),
    x: Arrow.makeVector(x),
    label: Arrow.vectorFromArray(labels, new Arrow.Utf8()),
    score: Arrow.vectorFromArray(scores, new Arrow.Float32())
  })
}

const { values } = parseArgs({
  options: {
    home: { type: "string" },
    rows: { type: "string", default: "10000000" },
    "part-rows": { type: "string", default: "500000" }
  }
})
if (values.home === undefined) throw new Error("--home DIR is required")
const total = Number(values.rows)
const partRows = Number(values["part-rows"])
const shards = Math.max(1, Math.ceil(total / partRows))

await Effect.runPromise(
  Effect.gen(function* () {
    const layout = OutputLayout.make(yield* StageLocation.parse("@ML.PUBLIC.RESULTS/export/"), JOB)
    yield* SaveMode.prepare({ layout, mode: "overwrite", job: JOB })
    const committer = yield* OutputCommitter.make({ layout })
    for (let shard = 0; shard < shards; shard++) {
      const from = shard * partRows
      yield* committer.commitShard(
        yield* committer.writePart(shard, 0, part(from, Math.min(partRows, total - from)))
      )
    }
    yield* committer.finalize(shards, {
      job: JOB,
      planFingerprint: "sha256:fixture",
      runbatchVersion: "0.1.0",
      startedAt: new Date().toISOString(),
      plugins: []
    })
  }).pipe(
    Effect.provide(
      StageStore.layerLocal().pipe(
        Layer.provide(LocalAccount.layer({ home: values.home, database: "ML", schema: "PUBLIC" }))
      )
    )
  )
)
process.stderr.write(`${total} rows in ${shards} parts: @ML.PUBLIC.RESULTS/export/ under ${values.home}\n`)
