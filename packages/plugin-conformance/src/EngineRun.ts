/**
 * An engine called the way the runtime calls it, on an in-memory stage: `prepare` the request, open a
 * session with the options `prepare` normalised (what the plan stores), one thread, replica 0 and
 * worker 0, and infer one batch with the request's params. For plugin authors' tests and the
 * conformance suite.
 *
 * ```ts
 * const { result } = await Effect.runPromise(EngineRun.infer(engine, request, batch))
 * ```
 */
import type { Arrow, Engine, InferResult, Prepared, PrepareRequest } from "@runbatch/plugin-api"
import { Effect } from "effect"
import * as MemoryStage from "./MemoryStage.ts"

export interface EngineRunOptions {
  /** Stage files the engine reads (artifacts), stage location → bytes. */
  readonly files?: ReadonlyMap<string, Uint8Array>
  /** Where the plugin's log lines go. */
  readonly lines?: Array<MemoryStage.LoggedLine>
}

const hostOf = (options: EngineRunOptions) =>
  MemoryStage.host(options.files ?? new Map(), options.lines ?? [])

/** `prepare` alone. */
export const prepare = (engine: Engine, request: PrepareRequest, options: EngineRunOptions = {}) =>
  engine.prepare(request).pipe(Effect.provide(hostOf(options)))

/** prepare, open and infer one batch; the session is closed before this returns. */
export const infer = (
  engine: Engine,
  request: PrepareRequest,
  batch: Arrow.RecordBatch,
  options: EngineRunOptions = {}
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const prepared: Prepared = yield* engine.prepare(request)
      const session = yield* engine.open({
        ...request,
        options: prepared.options ?? request.options,
        outputSchema: prepared.outputSchema,
        threads: 1,
        replica: 0,
        worker: 0
      })
      const result: InferResult = yield* session.infer(batch, request.params)
      return { prepared, result }
    })
  ).pipe(Effect.provide(hostOf(options)))
