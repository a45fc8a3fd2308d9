import { describe, expect, it } from "@effect/vitest"
import {
  Arrow,
  definePromiseEncoder,
  definePromiseEngine,
  FileReader,
  PLUGIN_API_VERSION,
  PluginLogger,
  RetryableError
} from "@runbatch/plugin-api"
import { Signature, StageFileError } from "@runbatch/spec"
import { Effect, Exit, Layer, Scope, Stream } from "effect"

const files = new Map([["@DB.S.ST/a.txt", new TextEncoder().encode("hello")]])
const logged: Array<string> = []
const host = Layer.mergeAll(
  Layer.succeed(FileReader, {
    read: (location) => {
      const bytes = files.get(location)
      return bytes === undefined
        ? Effect.fail(new StageFileError({ location, problem: "not_found" }))
        : Effect.succeed(bytes)
    },
    stream: (location) => Stream.fromIterable([files.get(location) ?? new Uint8Array()]),
    size: (location) => Effect.succeed(files.get(location)?.length ?? 0)
  }),
  Layer.succeed(PluginLogger, {
    debug: (m) => Effect.sync(() => void logged.push(`debug ${m}`)),
    info: (m) => Effect.sync(() => void logged.push(`info ${m}`)),
    warn: (m) => Effect.sync(() => void logged.push(`warn ${m}`))
  })
)

const sig = Signature.signature([Signature.feature("x", "DOUBLE")], [Signature.feature("y", "DOUBLE")])
const request = {
  function: { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION" as const },
  signature: sig,
  options: {},
  params: {},
  artifacts: [],
  engineArgsOverride: []
}
const batch = new Arrow.RecordBatch({
  x: Arrow.makeData({ type: new Arrow.Float64(), data: new Float64Array([1, 2, 3]) })
})

describe("definePromiseEngine", () => {
  let closed = 0
  let calls = 0
  const engine = definePromiseEngine({
    id: "doubler",
    open: async (_req, ctx) => {
      ctx.log("info", "opened")
      return {
        infer: async (input, params) => {
          calls++
          if (params["fail"] === "retry") throw new RetryableError("busy", { retryAfterMillis: 250 })
          if (params["fail"] === "fatal") throw new Error("model exploded")
          const x = input.getChild("x")!.toArray() as Float64Array
          return {
            outputs: new Arrow.RecordBatch({
              y: Arrow.makeData({ type: new Arrow.Float64(), data: x.map((v) => v * 2) })
            })
          }
        },
        close: async () => {
          closed++
        }
      }
    }
  })

  it("is an engine of this API version", () => {
    expect(engine.kind).toBe("engine")
    expect(engine.apiVersion).toBe(PLUGIN_API_VERSION)
    expect(engine.id).toBe("doubler")
  })

  it("prepares with the signature's outputs by default", async () => {
    const prepared = await Effect.runPromise(engine.prepare(request).pipe(Effect.provide(host)))
    expect(prepared.outputSchema).toEqual(sig.outputs)
  })

  it("infers, maps errors to PluginBatchError and closes with its scope", async () => {
    const program = Effect.gen(function* () {
      const scope = yield* Scope.make()
      const session = yield* engine
        .open({ ...request, outputSchema: sig.outputs, threads: 1, replica: 0, worker: 0 })
        .pipe(Scope.provide(scope))
      const ok = yield* session.infer(batch, {})
      const retry = yield* Effect.flip(session.infer(batch, { fail: "retry" }))
      const fatal = yield* Effect.flip(session.infer(batch, { fail: "fatal" }))
      yield* Scope.close(scope, Exit.void)
      return { ok, retry, fatal }
    })
    const { ok, retry, fatal } = await Effect.runPromise(program.pipe(Effect.provide(host)))
    expect(Array.from(ok.outputs.getChild("y")!.toArray() as Float64Array)).toEqual([2, 4, 6])
    expect(retry._tag).toBe("PluginBatchError")
    expect(retry.retryable).toBe(true)
    expect(retry.retryAfterMillis).toBe(250)
    expect(fatal.retryable).toBe(false)
    expect(fatal.message).toContain("model exploded")
    expect(closed).toBe(1)
    expect(calls).toBe(3)
    expect(logged).toContain("info opened")
  })

  it("turns a throwing prepare into EnginePrepareError", async () => {
    const strict = definePromiseEngine({
      id: "strict",
      prepare: async () => {
        throw new Error("ZipMap outputs are not supported")
      },
      open: async () => ({ infer: async () => ({ outputs: batch }) })
    })
    const error = await Effect.runPromise(Effect.flip(strict.prepare(request)).pipe(Effect.provide(host)))
    expect(error._tag).toBe("EnginePrepareError")
    expect(error.message).toContain("strict engine cannot run this model: ZipMap")
  })

  it("aborts the context signal when the caller is interrupted", async () => {
    let aborted = false
    const slow = definePromiseEngine({
      id: "slow",
      open: async () => ({
        infer: (_b, _p, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener("abort", () => {
              aborted = true
              reject(new Error("aborted"))
            })
          })
      })
    })
    const program = Effect.scoped(
      Effect.gen(function* () {
        const session = yield* slow.open({
          ...request,
          outputSchema: sig.outputs,
          threads: 1,
          replica: 0,
          worker: 0
        })
        return yield* session.infer(batch, {}).pipe(Effect.timeout("20 millis"), Effect.flip)
      })
    )
    const error = await Effect.runPromise(program.pipe(Effect.provide(host)))
    expect(error._tag).toBe("TimeoutError")
    expect(aborted).toBe(true)
  })
})

describe("definePromiseEncoder", () => {
  const encoder = definePromiseEncoder({
    id: "text",
    encode: async (column, _request, ctx) => {
      const out: Array<string | null> = []
      const rowErrors: Array<{ row: number; message: string }> = []
      for (let row = 0; row < column.length; row++) {
        try {
          out.push(new TextDecoder().decode(await ctx.readFile(column.get(row) as string)))
        } catch (e) {
          out.push(null)
          rowErrors.push({ row, message: (e as Error).message })
        }
      }
      return { vector: Arrow.vectorFromArray(out, new Arrow.Utf8()), rowErrors }
    }
  })

  it("reads stage files through the host's FileReader and reports bad rows", async () => {
    const column = Arrow.vectorFromArray(["@DB.S.ST/a.txt", "@DB.S.ST/missing.txt"], new Arrow.Utf8())
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const instance = yield* encoder.open({ options: {} })
          return yield* instance.encode(column, {
            column: "PATH",
            inputFormat: "full_stage_path",
            convertTo: "text"
          })
        })
      ).pipe(Effect.provide(host))
    )
    expect(result.vector.toArray()).toEqual(["hello", null])
    expect(result.rowErrors).toHaveLength(1)
    expect(result.rowErrors[0]!.row).toBe(1)
    expect(result.rowErrors[0]!.message).toContain("@DB.S.ST/missing.txt does not exist")
  })
})
