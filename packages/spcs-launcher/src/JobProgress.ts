/**
 * A job's progress: the latest progress line of each replica, summed. Totals come from the launch
 * request when it gave them (the client knows the job's rows and shards from its plan), else from the
 * replicas' own lines.
 */
import type { Counters } from "@runbatch/spec/ReplicaOutput"
import type { ProgressRecord } from "./JobFolder.ts"

/**
 * A replica's counters (rows, totalRows, shardsDone, shards, rowsPerSecond, errors, metrics), each
 * summed over the job's replicas, and the time left.
 */
export interface JobProgress extends Counters {
  /** Seconds left at the current rate; 0 when every row is done, null while there is no rate yet. */
  readonly etaSeconds: number | null
}

export const summarize = (
  record: ProgressRecord | undefined,
  totals: { readonly rows: number; readonly shards: number } | null
): JobProgress => {
  const lines = Object.values(record?.replicas ?? {})
  const sum = (pick: (line: (typeof lines)[number]) => number) => lines.reduce((n, line) => n + pick(line), 0)
  const rows = sum((l) => l.rows)
  // Lines written before replicas counted the shards of earlier attempts have none.
  const resumedRows = sum((l) => l.resumedRows ?? 0)
  const totalRows = Math.max(
    totals?.rows ?? 0,
    sum((l) => l.totalRows)
  )
  const rowsPerSecond = sum((l) => l.rowsPerSecond)
  const etaSeconds =
    totalRows > 0 && rows >= totalRows
      ? 0
      : rowsPerSecond > 0 && totalRows > rows
        ? Math.ceil((totalRows - rows) / rowsPerSecond)
        : null
  const metrics: Record<string, number> = {}
  // Lines written before replicas reported metrics have none.
  for (const line of lines)
    for (const [key, value] of Object.entries<number>(line.metrics ?? {}))
      metrics[key] = (metrics[key] ?? 0) + value
  return {
    rows,
    resumedRows,
    totalRows,
    shardsDone: sum((l) => l.shardsDone),
    shards: Math.max(
      totals?.shards ?? 0,
      sum((l) => l.shards)
    ),
    rowsPerSecond,
    errors: sum((l) => l.errors),
    etaSeconds,
    metrics
  }
}
