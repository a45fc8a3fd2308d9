/**
 * What the export memory tests check: the same export of a small and of a large number of rows, each in
 * a process of its own, peak within MARGIN_MIB of each other and under the 300 MiB goal
 * (docs/performance.md, "Results export"). The small export has two full row groups, so it already
 * reads, renders and collects as the large one does; what is left between them is how far garbage
 * collection lets the heap grow. Holding the rows of 2M rows (their Arrow batches alone) cost 67–78
 * MiB more, their text far more; an export that read its query whole peaked at 881 MiB for 1M rows.
 */
import { expect } from "vitest"
import { runCliMeasuringPeak } from "./peakRss.ts"

export const SMALL = 262_144
export const LARGE = 2_000_000
/** How much more the large export may peak at than the small one (9–24 MiB measured), MiB. */
const MARGIN_MIB = 40
const GOAL_MIB = 300

/** Lines of an export: CSV has a header; JSON a line per value and two per row, and two more. */
const linesOf = (format: "csv" | "json", rows: number, columns: number) =>
  format === "csv" ? rows + 1 : rows * (columns + 2) + 2

/**
 * Run `command(SMALL)` and `command(LARGE)` (the arguments after `--home`, without `--format`) as
 * `format` exports of `columns` columns: every row goes out, and the peaks are as described above.
 */
export const expectFlatPeak = async (
  home: string,
  format: "csv" | "json",
  columns: number,
  command: (rows: number) => ReadonlyArray<string>
): Promise<void> => {
  const small = await runCliMeasuringPeak(home, [...command(SMALL), "--format", format])
  const large = await runCliMeasuringPeak(home, [...command(LARGE), "--format", format])
  for (const [run, rows] of [
    [small, SMALL],
    [large, LARGE]
  ] as const) {
    expect(run.code, run.stderr).toBe(0)
    expect(run.lines, "every row went out").toBe(linesOf(format, rows, columns))
  }
  const peaks = `${format}: ${small.peakMiB.toFixed(1)} MiB for ${SMALL} rows, ${large.peakMiB.toFixed(1)} MiB for ${LARGE}`
  expect(large.peakMiB - small.peakMiB, peaks).toBeLessThan(MARGIN_MIB)
  expect(large.peakMiB, peaks).toBeLessThan(GOAL_MIB)
}
