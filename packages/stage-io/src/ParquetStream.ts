/**
 * Arrow record batches → parquet bytes as a stream (parquet-wasm's `transformParquetStream`): row
 * groups are encoded as their rows arrive and handed on, so memory holds the row group being built,
 * never the whole file. The file is the one `ParquetCodec.encode` would write from the same batches:
 * the first batch's schema, the same writer settings.
 *
 * parquet-wasm's streaming writer has sharp edges, each handled here:
 * - given no batch at all it throws outside any promise, which kills the process: the first batch is
 *   taken before the writer starts, and a stream of none is written from `whenEmpty` (a batch of no
 *   rows carrying the columns);
 * - a failing input ends its output as if the file were complete: the failure is kept, and the bytes
 *   end with it, so a write of them fails rather than storing a cut file;
 * - it reads its input to the end even once its output is cancelled: the input is interrupted then;
 * - WebAssembly copies of batches stay allocated until freed by hand (the garbage collector frees
 *   them late, and WebAssembly memory never shrinks): each copy is freed once handed over.
 */
import * as Arrow from "apache-arrow"
import { type Cause, Effect, Option, Sink, Stream } from "effect"
import { transformParquetStream, type RecordBatch as WasmRecordBatch, Table as WasmTable } from "parquet-wasm"
import { type EncodeOptions, writerProperties } from "./ParquetCodec.ts"

/** A batch as parquet-wasm's writer takes it: copied into WebAssembly memory through Arrow IPC. */
const intoWasm = (batch: Arrow.RecordBatch): ReadonlyArray<WasmRecordBatch> => {
  const table = WasmTable.fromIPCStream(Arrow.tableToIPC(new Arrow.Table([batch]), "stream"))
  try {
    return table.recordBatches()
  } finally {
    table.free()
  }
}

/**
 * The parquet bytes of `batches`, streamed. `whenEmpty` gives the batch of no rows written when
 * `batches` has none; `onError` describes a failure of the encoder itself.
 */
export const encodeStream = <E, R, E2, R2, E3>(
  batches: Stream.Stream<Arrow.RecordBatch, E, R>,
  whenEmpty: Effect.Effect<Arrow.RecordBatch, E2, R2>,
  onError: (error: unknown) => E3,
  options: EncodeOptions = {}
): Stream.Stream<Uint8Array, E | E2 | E3, R | R2> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const [first, rest] = yield* Stream.peel(batches, Sink.head<Arrow.RecordBatch>())
      const head = Option.isSome(first) ? first.value : yield* whenEmpty
      // Every part has one schema, the first batch's, as a table of these batches would have.
      const schema = head.schema
      const sameSchema = (batch: Arrow.RecordBatch) =>
        batch.schema === schema ? batch : new Arrow.RecordBatch(schema, batch.data)
      let failure: Cause.Cause<E> | undefined
      const input = Stream.concat(Stream.make(head), rest).pipe(
        Stream.map((batch) => intoWasm(sameSchema(batch))),
        Stream.flattenIterable,
        Stream.catchCause((cause) => {
          failure = cause
          return Stream.empty
        })
      )
      const stopInput = new AbortController()
      const context = yield* Effect.context<R>()
      const output = yield* Effect.tryPromise({
        try: () =>
          transformParquetStream(
            Stream.toReadableStreamWith(input, context, {
              strategy: { highWaterMark: 1 },
              signal: stopInput.signal
            }),
            writerProperties(options, head)
          ) as Promise<ReadableStream<Uint8Array>>,
        catch: onError
      })
      return Stream.fromReadableStream({ evaluate: () => output, onError }).pipe(
        Stream.concat(
          Stream.suspend(() => (failure === undefined ? Stream.empty : Stream.failCause(failure)))
        ),
        Stream.ensuring(Effect.sync(() => stopInput.abort()))
      )
    })
  )
