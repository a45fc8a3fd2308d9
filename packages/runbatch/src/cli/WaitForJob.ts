/**
 * Waiting for a job on the command line: a progress bar on stderr (rows, percent, rows/s, ETA, recorded
 * errors and the engine's counters such as tokens) redrawn in place on a terminal, or a plain line every
 * few seconds when stderr is a file; then the job's end as the result, with exit code 1 unless it ended
 * DONE.
 */
import type { JobHandle, JobProgress, JobRow } from "@runbatch/spcs-launcher"
import { Effect, Schedule } from "effect"
import type { CommandContext } from "./Command.ts"
import { count, duration } from "./Format.ts"
import { text } from "./Output.ts"
import { speak } from "./Vocabulary.ts"

export const progressLine = (progress: JobProgress, width = 30): string => {
  // A job over no rows that has ended (no time left) is done, not at 0%.
  const fraction =
    progress.totalRows > 0
      ? Math.min(1, progress.rows / progress.totalRows)
      : progress.etaSeconds === 0
        ? 1
        : 0
  const filled = Math.round(fraction * width)
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`
  const eta = progress.etaSeconds === null || fraction >= 1 ? "" : `  ETA ${duration(progress.etaSeconds)}`
  const errors = progress.errors > 0 ? `  ${count(progress.errors)} error(s)` : ""
  // The engine's counters, e.g. "1,200 prompt tokens"; those still at zero say nothing.
  const metrics = Object.entries(progress.metrics)
    .filter(([, value]) => value !== 0)
    .map(([name, value]) => `  ${count(value)} ${name.replaceAll("_", " ")}`)
    .join("")
  // A job that ended over no rows has no rate to give.
  const rate =
    progress.rows === 0 && fraction >= 1 ? "" : `  ${count(Math.round(progress.rowsPerSecond))} rows/s`
  const percent = Math.floor(fraction * 100)
    .toString()
    .padStart(3)
  return `${bar} ${percent}%  ${count(progress.rows)}/${count(progress.totalRows)} rows${rate}${eta}${errors}${metrics}`
}

/**
 * What a DONE job did, from its own times and counters — never from when someone began to watch it:
 * its rows (shards committed by earlier attempts included), how long it took from its creation to
 * its end, and its rate. A resumed job's wall time spans the pause between attempts, so it gives the
 * rate of its last attempt instead.
 */
export const doneSummary = (id: string, row: JobRow, progress: JobProgress | undefined): string => {
  const rows = progress?.rows ?? 0
  const earlier = progress?.resumedRows ?? 0
  if (earlier > 0) {
    const rate = count(Math.round(progress?.rowsPerSecond ?? 0))
    return `Job ${id} DONE: ${count(rows)} row(s), ${count(earlier)} of them committed by earlier attempts; the last attempt ran ${count(rows - earlier)} row(s) at ${rate} rows/s.`
  }
  if (row.completedTime === null) return `Job ${id} DONE: ${count(rows)} row(s).`
  const seconds = Math.max(0, (row.completedTime.getTime() - row.createdTime.getTime()) / 1000)
  const rate = seconds > 0 && rows > 0 ? `, ${count(Math.round(rows / seconds))} rows/s` : ""
  return `Job ${id} DONE: ${count(rows)} row(s) in ${duration(seconds)}${rate}.`
}

/** A line redrawn in place must fit the terminal: one that wraps leaves its first rows behind. */
const fitted = (line: string, columns = process.stderr.columns): string =>
  columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line

export const waitForJob = (
  handle: JobHandle,
  context: CommandContext,
  options: { readonly timeoutSeconds?: number } = {}
) =>
  Effect.gen(function* () {
    let lastPlain = 0
    const draw = Effect.gen(function* () {
      const progress = yield* handle.progress.pipe(Effect.orElseSucceed(() => undefined))
      if (progress === undefined) return
      if (context.isTTY) context.stderr(`\r${fitted(progressLine(progress))}\x1b[K`)
      else if (Date.now() - lastPlain >= 5000) {
        lastPlain = Date.now()
        context.notice(progressLine(progress))
      }
    })
    const status = yield* handle
      .wait(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds })
      .pipe(
        Effect.raceFirst(
          draw.pipe(Effect.repeat(Schedule.spaced("500 millis")), Effect.andThen(Effect.never))
        )
      )
    const final = yield* handle.progress.pipe(Effect.orElseSucceed(() => undefined))
    if (final !== undefined) {
      if (context.isTTY) context.stderr(`\r${progressLine(final)}\x1b[K\n`)
      else context.notice(progressLine(final))
    }
    const row = yield* handle.describe
    const summary =
      status === "DONE"
        ? doneSummary(handle.id, row, final)
        : `Job ${handle.id} ${status}${row.message === "" ? "." : `: ${speak(row.message, { vocabulary: "jobFile", job: handle.id })}`}`
    return text(
      summary,
      { id: handle.id, status, message: row.message, progress: final },
      status === "DONE" ? 0 : 1
    )
  })
