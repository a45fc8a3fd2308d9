/**
 * Staging a job for runtime tests the way the client will: input rows (or hand-made parquet files of
 * chosen, uneven sizes) materialised under the job's private folder, the output claimed, the plugins
 * loaded and recorded, the engine's `prepare` run, and `plan.json` written — so a test can start
 * replicas on it.
 */
import { FileReader } from "@runbatch/plugin-api"
import { MemoryStage } from "@runbatch/plugin-conformance"
import { makePluginHost, type PlannedPlugin, requiredColumnHandling } from "@runbatch/plugin-host"
import { Sql } from "@runbatch/session"
import {
  ColumnMatching,
  JobPlan,
  type Json,
  Params,
  Sharding,
  Signature,
  StageLocation
} from "@runbatch/spec"
import { OutputLayout, ParquetCodec, SaveMode, StageFileReader, StageStore } from "@runbatch/stage-io"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import * as TestEngine from "./TestEngine.ts"

export interface JobFixtureOptions {
  /** Input rows and their column types (materialised through the session, as a job's input is). */
  readonly rows?: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly columns?: ReadonlyArray<Signature.Feature>
  /** Or: parquet files written as given, with their row-group sizes (uneven files, odd layouts). */
  readonly files?: ReadonlyArray<{ readonly table: Arrow.Table; readonly rowGroupSize: number }>
  readonly signature: Signature.ModelSignature
  readonly engine?: string
  readonly engineOptions?: Readonly<Record<string, Json>>
  readonly params?: Readonly<Record<string, unknown>>
  readonly columnHandling?: Readonly<
    Record<string, { readonly inputFormat: string; readonly convertTo: string }>
  >
  readonly onError?: "fail" | "record"
  readonly replicas?: number
  readonly numWorkers?: number
  readonly maxBatchRows?: number
  readonly targetShards?: number
  readonly output?: string
  readonly jobName?: string
  /** Model artifacts by name (e.g. `model.onnx`), put on a stage as a registry version's files are. */
  readonly artifacts?: Readonly<Record<string, Uint8Array>>
  /** Plugin packages (default: the testkit engine). */
  readonly plugins?: ReadonlyArray<string>
}

export interface StagedJob {
  readonly plan: JobPlan.JobPlan
  readonly planLocation: string
  readonly layout: OutputLayout.OutputLayout
  readonly plugins: ReadonlyArray<string>
}

const effectiveType = (outputType: string, name: string): Signature.Feature =>
  Signature.feature(name, outputType as Signature.FeatureSpec["dtype"])

export const stageJob = (options: JobFixtureOptions) =>
  Effect.gen(function* () {
    const sql = yield* Sql
    const store = yield* StageStore
    const pluginSpecifiers = options.plugins ?? [TestEngine.packageDir]
    const host = yield* makePluginHost({ plugins: pluginSpecifiers })
    const jobName = options.jobName ?? "ML.PUBLIC.TEST_JOB"
    const [database, schema, name] = jobName.split(".") as [string, string, string]
    const output = yield* StageLocation.parseDirectory(
      options.output ?? "@ML.PUBLIC.RESULTS/out/",
      sql.context
    )
    const layout = OutputLayout.make(output, jobName)
    yield* SaveMode.prepare({ layout, mode: "error", job: jobName })

    // The input, in the job's private folder.
    const replicas = options.replicas ?? 1
    let files: Array<Sharding.InputFile>
    let shards: ReadonlyArray<Sharding.Shard>
    let columns: ReadonlyArray<Signature.Feature>
    if (options.files !== undefined) {
      files = []
      for (const [i, file] of options.files.entries()) {
        const path = `data_${i}.parquet`
        const bytes = ParquetCodec.encode(file.table, { rowGroupSize: file.rowGroupSize })
        yield* store.write(`${StageLocation.format(layout.input)}${path}`, bytes)
        const groups: Array<number> = []
        for (let left = file.table.numRows; left > 0; left -= file.rowGroupSize)
          groups.push(Math.min(left, file.rowGroupSize))
        files.push({ path, bytes: bytes.byteLength, rowGroups: groups })
      }
      shards = Sharding.enumerate(files, options.targetShards ?? replicas * 4)
      const relation = yield* sql.readParquet(StageLocation.format(layout.input))
      columns = yield* relation.schema
    } else {
      const relation = yield* sql.createDataFrame(options.rows ?? [], options.columns ?? [])
      columns = yield* relation.schema
      const staged = yield* relation.materialize(layout.input, {
        targetShards: options.targetShards ?? replicas * 4
      })
      files = [...staged.files]
      shards = staged.shards
    }

    // Plugins, column handling and the column mapping.
    const engine = yield* host.engine(options.engine ?? TestEngine.id)
    const handling: Array<JobPlan.JobPlan["columnHandling"][number]> = []
    const effectiveTypes = new Map<string, Signature.Feature>()
    const planned: Array<PlannedPlugin> = [yield* host.plan(engine.record)]
    for (const [column, pair] of Object.entries(options.columnHandling ?? {})) {
      const encoder = yield* host.encoder(pair.inputFormat, pair.convertTo)
      handling.push({
        column,
        inputFormat: pair.inputFormat,
        convertTo: pair.convertTo,
        encoder: encoder.record.manifest.id
      })
      effectiveTypes.set(column, effectiveType(encoder.handle.outputType, column))
      if (!planned.some((p) => p.packageName === encoder.record.packageName))
        planned.push(yield* host.plan(encoder.record))
    }
    // Column handling the engine requires (engine-vllm: chat-messages on `messages`), as the planner
    // applies it.
    const required = yield* requiredColumnHandling(
      host,
      engine,
      options.signature.inputs,
      columns,
      handling.map((h) => h.column)
    )
    for (const { handling: entry, loaded, effectiveType } of required) {
      handling.push(entry)
      effectiveTypes.set(entry.column, effectiveType)
      if (!planned.some((p) => p.packageName === loaded.record.packageName))
        planned.push(yield* host.plan(loaded.record))
    }
    const match = yield* ColumnMatching.match(columns, options.signature.inputs, { effectiveTypes })
    const params = yield* Params.resolve(options.params, options.signature.params)
    const fn = { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION" as const }
    const artifacts: Array<JobPlan.JobPlan["artifacts"][number]> = []
    for (const [artifactName, bytes] of Object.entries(options.artifacts ?? {})) {
      const location = `@ML.PUBLIC.MODELS/${jobName}/${artifactName}`
      const written = yield* store.write(location, bytes)
      artifacts.push({ name: artifactName, location, bytes: written.bytes, sha256: written.sha256 })
    }
    const prepared = yield* engine.engine
      .prepare({
        function: fn,
        signature: options.signature,
        options: options.engineOptions ?? {},
        params,
        artifacts: artifacts.map((a) => ({ name: a.name, location: a.location, bytes: a.bytes })),
        engineArgsOverride: []
      })
      .pipe(
        Effect.provideService(FileReader, FileReader.of(StageFileReader.readerOf(store))),
        Effect.provide(MemoryStage.logger())
      )

    const plan = JobPlan.make({
      planVersion: JobPlan.PLAN_VERSION,
      runbatchVersion: "0.1.0",
      createdAt: new Date().toISOString(),
      job: { database, schema, name },
      model: { database: "ML", schema: "PUBLIC", name: "TEST_MODEL", version: "V1" },
      function: fn,
      signature: options.signature,
      inputSchema: columns,
      outputSchema: prepared.outputSchema,
      columnMapping: match.mappings,
      columnHandling: handling,
      engine: {
        id: engine.record.manifest.id,
        options: prepared.options ?? options.engineOptions ?? {},
        engineArgsOverride: []
      },
      plugins: planned,
      params,
      batch: {
        ...(options.maxBatchRows === undefined
          ? prepared.capabilities.preferredBatchRows === undefined
            ? {}
            : { maxBatchRows: prepared.capabilities.preferredBatchRows }
          : { maxBatchRows: options.maxBatchRows }),
        ...(options.numWorkers === undefined ? {} : { numWorkers: options.numWorkers }),
        ...(prepared.capabilities.concurrentBatches === undefined
          ? {}
          : { concurrentBatches: prepared.capabilities.concurrentBatches })
      },
      replicas,
      onError: options.onError ?? "fail",
      input: { location: StageLocation.format(layout.input), files },
      shards: [...shards],
      output: { location: StageLocation.format(layout.output), mode: "error" },
      artifacts
    })
    const planLocation = StageLocation.format(layout.plan)
    yield* store.write(planLocation, new TextEncoder().encode(JobPlan.toJson(plan)))
    return { plan, planLocation, layout, plugins: pluginSpecifiers } satisfies StagedJob
  })
