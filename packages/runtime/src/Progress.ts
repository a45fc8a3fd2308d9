/**
 * What a replica tells the world, as one JSON object per line on stdout: short user-facing log lines
 * ("Starting inference.") and progress counters (rows done of total, rows/s, errors). The local
 * supervisor reads them from the replica's stdout; in SPCS they come back through the service logs.
 */
import { ReplicaOutput } from "@runbatch/spec"
import { Context, Effect, Layer } from "effect"

export type LogLevel = ReplicaOutput.LogLevel

/** The lines this service writes (the protocol is spec's ReplicaOutput, which the launchers read). */
export type ProgressLine = ReplicaOutput.ProgressLine

export interface ProgressShape {
  readonly log: (level: LogLevel, message: string) => Effect.Effect<void>
  /** Count finished rows; emits a progress line at most once a second (and `flush` forces one). */
  readonly rowsDone: (
    rows: number,
    errors: number,
    metrics?: Readonly<Record<string, number>>
  ) => Effect.Effect<void>
  readonly shardDone: Effect.Effect<void>
  /**
   * Count shards an earlier attempt of the job committed (a resumed job): done, so they count in
   * rows, shards and errors, but not by this run, so not in the rate. Emits a progress line.
   */
  readonly resumed: (rows: number, shards: number, errors: number) => Effect.Effect<void>
  readonly flush: Effect.Effect<void>
}

export class Progress extends Context.Service<Progress, ProgressShape>()("@runbatch/runtime/Progress") {
  /** JSON lines on stdout. */
  static readonly layerStdout = (replica: number, totals: Totals): Layer.Layer<Progress> =>
    Layer.sync(Progress, () =>
      make(replica, totals, (line) => process.stdout.write(`${ReplicaOutput.format(line)}\n`))
    )

  /**
   * In a pipeline worker thread: every call becomes an event posted to the replica's thread, which
   * applies it to its own Progress (relay), so rates and totals stay one per replica.
   */
  static readonly layerRelay = (post: (event: ProgressEvent) => void): Layer.Layer<Progress> =>
    Layer.succeed(Progress, {
      log: (level, message) => Effect.sync(() => post({ type: "log", level, message })),
      rowsDone: (count, errors, metrics) =>
        Effect.sync(() =>
          post({ type: "rows", count, errors, ...(metrics === undefined ? {} : { metrics }) })
        ),
      shardDone: Effect.sync(() => post({ type: "shard" })),
      resumed: (rows, shards, errors) => Effect.sync(() => post({ type: "resumed", rows, shards, errors })),
      flush: Effect.void
    })

  /** Lines into an array (tests). */
  static readonly layerCollect = (
    replica: number,
    totals: Totals,
    lines: Array<ProgressLine>
  ): Layer.Layer<Progress> =>
    Layer.sync(Progress, () => make(replica, totals, (line) => void lines.push(line)))
}

/** A Progress call made in a worker thread, as posted to the replica's thread. */
export type ProgressEvent =
  | { readonly type: "log"; readonly level: LogLevel; readonly message: string }
  | {
      readonly type: "rows"
      readonly count: number
      readonly errors: number
      readonly metrics?: Readonly<Record<string, number>>
    }
  | { readonly type: "shard" }
  | { readonly type: "resumed"; readonly rows: number; readonly shards: number; readonly errors: number }

/** Apply a relayed event to this thread's Progress. */
export const relay = (progress: ProgressShape, event: ProgressEvent): Effect.Effect<void> =>
  event.type === "log"
    ? progress.log(event.level, event.message)
    : event.type === "rows"
      ? progress.rowsDone(event.count, event.errors, event.metrics)
      : event.type === "resumed"
        ? progress.resumed(event.rows, event.shards, event.errors)
        : progress.shardDone

export interface Totals {
  readonly rows: number
  readonly shards: number
}

export const make = (replica: number, totals: Totals, emit: (line: ProgressLine) => void): ProgressShape => {
  const started = Date.now()
  let rows = 0
  let resumedRows = 0
  let errors = 0
  let shardsDone = 0
  let lastEmit = 0
  const metrics: Record<string, number> = {}
  const emitProgress = () => {
    lastEmit = Date.now()
    const seconds = Math.max(0.001, (lastEmit - started) / 1000)
    emit({
      type: "progress",
      replica,
      time: new Date(lastEmit).toISOString(),
      rows,
      resumedRows,
      totalRows: totals.rows,
      shardsDone,
      shards: totals.shards,
      rowsPerSecond: Math.round((rows - resumedRows) / seconds),
      errors,
      metrics: { ...metrics }
    })
  }
  return {
    log: (level, message) =>
      Effect.sync(() => emit({ type: "log", replica, time: new Date().toISOString(), level, message })),
    rowsDone: (count, failed, engineMetrics) =>
      Effect.sync(() => {
        rows += count
        errors += failed
        for (const [key, value] of Object.entries(engineMetrics ?? {}))
          metrics[key] = (metrics[key] ?? 0) + value
        if (Date.now() - lastEmit >= 1000) emitProgress()
      }),
    shardDone: Effect.sync(() => {
      shardsDone++
    }),
    resumed: (count, shards, failed) =>
      Effect.sync(() => {
        rows += count
        resumedRows += count
        errors += failed
        shardsDone += shards
        emitProgress()
      }),
    flush: Effect.sync(emitProgress)
  }
}
