/**
 * A dry run's report as `run --dry-run` prints it: what the job would read, map, load and write, the
 * sample's first rows and errors, and the estimate. `--json` prints the report itself.
 */
import { Signature, type TypeCompatibility } from "@runbatch/spec"
import type { DryRunReport } from "../DryRun.ts"
import { count, duration } from "./Format.ts"
import { arrowRows, type Printable, renderTable, text } from "./Output.ts"

/** Sample rows shown, and row errors listed. */
const PREVIEW_ROWS = 5
const ERRORS_SHOWN = 5

/** Exact types need no words; widening and conversions checked row by row are named. */
const compatibilityText = (c: TypeCompatibility.Compatibility): string =>
  c.kind === "exact" ? "" : c.kind === "widen" ? " (widened)" : ` (checked per row: ${c.checks.join(", ")})`

const section = (title: string, lines: ReadonlyArray<string>): string =>
  [title, ...lines.map((line) => `  ${line}`)].join("\n")

/**
 * Why the job would fail, and what to fix: when every sample row failed the rows are not the likely
 * cause, the model (its signature, options or files) is; when some did, the rows are.
 */
const wouldFailText = (sample: DryRunReport["sample"]): string =>
  sample.rows > 0 && new Set(sample.errors.map((e) => e.row)).size >= sample.rows
    ? `The job would fail: every sample row failed (${count(sample.errors.length)} of ${count(sample.rows)}), so the model is the likely cause, not the rows: check the error above against the model's signature, options and files (runbatch model show).`
    : `The job would fail: ${count(new Set(sample.errors.map((e) => e.row)).size)} of ${count(sample.rows)} sample row(s) failed and --on-error is fail. Fix those rows, or run with --on-error record to write them to _ERROR.`

export const dryRunText = (report: DryRunReport): Printable => {
  const { model, input, output, parallelism, sample, estimate } = report
  const encoded = new Map(report.columnHandling.map((h) => [h.column, h]))
  const preview = arrowRows(sample.outputs.slice(0, PREVIEW_ROWS))
  const columns = sample.outputs.schema.fields.map((f) => f.name)
  const lines = [
    `Dry run of job ${report.job}: everything checked, nothing written.`,
    "",
    section("Model", [
      `${model.name} version ${model.version}, function ${model.function}, engine ${model.engine}`
    ]),
    section("Input", [
      `${input.description}: ${count(input.rows)} row(s), ${input.columns.length} column(s)`
    ]),
    section(
      "Columns",
      report.columnMapping.map((m) => {
        const handling = encoded.get(m.column)
        const via =
          handling === undefined ? "" : ` (files read as ${handling.convertTo} by ${handling.encoder})`
        return `${m.feature} ← ${m.column}${via}: ${m.featureType} from ${m.columnType}${compatibilityText(m.compatibility)}`
      })
    ),
    ...(Object.keys(report.params).length === 0
      ? []
      : [
          section(
            "Params",
            Object.entries(report.params).map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
          )
        ]),
    section(
      "Plugins",
      report.plugins.map((p) => `${p.id} (${p.kind}): ${p.packageName} ${p.version}`)
    ),
    section("Output", [
      `${output.location}, mode ${output.mode}${output.existingFiles > 0 ? `: would remove ${count(output.existingFiles)} existing file(s)` : ""}`,
      `columns: ${output.columns.map((c) => `${c.name} ${Signature.describeType(c)}`).join(", ")}`,
      `row errors: ${report.onError === "fail" ? "the first one fails the job" : "recorded in _ERROR"}`
    ]),
    section("Parallelism", [
      `${parallelism.replicas} replica(s) × ${parallelism.workersPerReplica} worker(s), ${parallelism.threadsPerWorker} engine thread(s) each`,
      `about ${count(parallelism.shards)} shard(s), batches of up to ${count(parallelism.batchRows)} row(s)`
    ]),
    section(
      "Sample",
      input.rows === 0
        ? [`no rows to sample: the input is empty (the model loaded in ${sample.openSeconds.toFixed(2)} s)`]
        : [
            `${count(sample.rows)} row(s): model loaded in ${sample.openSeconds.toFixed(2)} s, then ${count(sample.rowsPerSecond)} rows/s per worker; ${count(sample.errors.length)} row error(s)`,
            ...sample.errors.slice(0, ERRORS_SHOWN).map((e) => `row ${e.row}: ${e.message}`),
            ...(sample.errors.length > ERRORS_SHOWN
              ? [`… and ${sample.errors.length - ERRORS_SHOWN} more`]
              : [])
          ]
    ),
    ...(preview.length === 0 ? [] : ["", renderTable(columns, preview)]),
    "",
    section(
      "Estimate",
      input.rows === 0
        ? [
            "nothing to run: the job would end DONE with no rows, its results the output's columns without rows"
          ]
        : [
            `${count(estimate.rowsPerSecond)} rows/s over ${parallelism.replicas * parallelism.workersPerReplica} worker(s): ${estimate.seconds < 0.5 ? "" : "about "}${duration(estimate.seconds)} for ${count(input.rows)} row(s)`,
            "(the sample's rate times the workers; staging the input and starting replicas come on top)"
          ]
    ),
    ...(report.wouldFail ? ["", wouldFailText(sample)] : [])
  ]
  return text(
    lines.join("\n"),
    { ...report, sample: { ...sample, outputs: arrowRows(sample.outputs) } },
    report.wouldFail ? 1 : 0
  )
}
