/**
 * Plugins without Effect: `definePromiseEncoder` and `definePromiseEngine` take async functions and
 * give the same contract as `defineEncoder` / `defineEngine`. Throw `RetryableError` for a failure a
 * retry can cure (a busy server); any other exception fails the batch for good.
 */
import { EnginePrepareError, type Json, PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import type * as Arrow from "./Arrow.ts"
import {
  defineEncoder,
  type EncodedColumn,
  type EncodeRequest,
  type Encoder,
  type EncoderOpenRequest
} from "./Encoder.ts"
import {
  defineEngine,
  type Engine,
  type InferResult,
  type OpenRequest,
  type Prepared,
  type PrepareRequest
} from "./Engine.ts"
import { FileReader, type ReadOptions } from "./FileReader.ts"
import { type LogFields, PluginLogger } from "./PluginLogger.ts"

/** A failure worth retrying; the runtime backs off (at least `retryAfterMillis`) and tries again. */
export class RetryableError extends Error {
  readonly retryAfterMillis: number | undefined
  constructor(
    message: string,
    options: { readonly retryAfterMillis?: number; readonly cause?: unknown } = {}
  ) {
    super(message, { cause: options.cause })
    this.name = "RetryableError"
    this.retryAfterMillis = options.retryAfterMillis
  }
}

/** What async plugin code can use: stage files, the replica log, and a signal aborted on cancel. */
export interface PluginContext {
  readonly readFile: (location: string, options?: ReadOptions) => Promise<Uint8Array>
  readonly log: (level: "debug" | "info" | "warn", message: string, fields?: LogFields) => void
  readonly signal: AbortSignal
}

const context = (signal: AbortSignal) =>
  Effect.gen(function* () {
    const reader = yield* FileReader
    const logger = yield* PluginLogger
    const ctx: PluginContext = {
      readFile: (location, options) => Effect.runPromise(reader.read(location, options), { signal }),
      log: (level, message, fields) => Effect.runFork(logger[level](message, fields)),
      signal
    }
    return ctx
  })

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

const batchError = (plugin: string) => (cause: unknown) =>
  new PluginBatchError({
    plugin,
    reason: reasonOf(cause),
    retryable: cause instanceof RetryableError,
    ...(cause instanceof RetryableError && cause.retryAfterMillis !== undefined
      ? { retryAfterMillis: cause.retryAfterMillis }
      : {})
  })

/** Run `f` with a plugin context; the signal aborts when the calling fiber is interrupted. */
const callAsync = <A, E>(f: (ctx: PluginContext) => Promise<A>, onError: (cause: unknown) => E) =>
  Effect.flatMap(Effect.context<FileReader | PluginLogger>(), (services) =>
    Effect.tryPromise({
      try: (signal) => Effect.runPromiseWith(services)(context(signal)).then((ctx) => f(ctx)),
      catch: onError
    })
  )

export interface PromiseEncoderDefinition {
  readonly id: string
  /** Encode one batch of one column. */
  readonly encode: (
    column: Arrow.Vector,
    request: EncodeRequest & { readonly options: Readonly<Record<string, Json>> },
    ctx: PluginContext
  ) => Promise<EncodedColumn>
}

export const definePromiseEncoder = (definition: PromiseEncoderDefinition): Encoder =>
  defineEncoder({
    id: definition.id,
    open: (openRequest: EncoderOpenRequest) =>
      Effect.succeed({
        encode: (column, request) =>
          callAsync(
            (ctx) => definition.encode(column, { ...request, options: openRequest.options }, ctx),
            batchError(definition.id)
          )
      })
  })

export interface PromiseEngineSession {
  readonly infer: (
    batch: Arrow.RecordBatch,
    params: Readonly<Record<string, Json>>,
    ctx: PluginContext
  ) => Promise<InferResult>
  /** Release what `open` acquired; called once when the worker is done. */
  readonly close?: () => Promise<void>
}

export interface PromiseEngineDefinition {
  readonly id: string
  /** Plan-time checks; throw to refuse. Default: outputs as the signature declares, no capabilities. */
  readonly prepare?: (request: PrepareRequest, ctx: PluginContext) => Promise<Prepared>
  readonly open: (request: OpenRequest, ctx: PluginContext) => Promise<PromiseEngineSession>
}

export const definePromiseEngine = (definition: PromiseEngineDefinition): Engine =>
  defineEngine({
    id: definition.id,
    prepare: (request) =>
      definition.prepare === undefined
        ? Effect.succeed({ outputSchema: request.signature.outputs, capabilities: {} })
        : callAsync(
            (ctx) => definition.prepare!(request, ctx),
            (cause) => new EnginePrepareError({ engine: definition.id, reason: reasonOf(cause) })
          ),
    open: (request) =>
      Effect.acquireRelease(
        callAsync((ctx) => definition.open(request, ctx), batchError(definition.id)),
        (session) =>
          session.close === undefined
            ? Effect.void
            : Effect.promise(() => session.close!()).pipe(Effect.ignore)
      ).pipe(
        Effect.map((session) => ({
          infer: (batch: Arrow.RecordBatch, params: Readonly<Record<string, Json>>) =>
            callAsync((ctx) => session.infer(batch, params, ctx), batchError(definition.id))
        }))
      )
  })
