/** custom-http engine tests: requests, batches, and running the engine against a fake server. */
import { Arrow, type PrepareRequest, plainValue } from "@runbatch/plugin-api"
import { type Json, Signature } from "@runbatch/spec"
import { EngineRun, type MemoryStage } from "@runbatch/testkit"
import { Effect } from "effect"
import engine from "../src/index.ts"

/** A scorer: a text and a number in, one output (by default a STRING). */
export const scorer = (output: Signature.Feature = Signature.feature("result", "STRING")) =>
  Signature.signature([Signature.feature("text", "STRING"), Signature.feature("x", "INT64")], [output])

export const request = (
  options: Readonly<Record<string, unknown>>,
  signature: Signature.ModelSignature = scorer(),
  params: Readonly<Record<string, Json>> = {}
): PrepareRequest => ({
  function: { name: "SCORE", targetMethod: "score", kind: "FUNCTION" },
  signature,
  options: options as PrepareRequest["options"],
  params,
  artifacts: [],
  engineArgsOverride: []
})

export const textBatch = (texts: ReadonlyArray<string | null>) =>
  new Arrow.RecordBatch({
    text: Arrow.vectorFromArray(texts, new Arrow.Utf8()).data[0]!,
    x: Arrow.vectorFromArray(
      texts.map((_, i) => BigInt(i)),
      new Arrow.Int64()
    ).data[0]!
  })

export const prepare = (req: PrepareRequest) =>
  Effect.runPromise(Effect.result(EngineRun.prepare(engine, req)))

export const inferEffect = (
  req: PrepareRequest,
  batch: Arrow.RecordBatch,
  lines: Array<MemoryStage.LoggedLine> = []
) => Effect.map(EngineRun.infer(engine, req, batch, { lines }), ({ result }) => result)

export const runExit = (
  req: PrepareRequest,
  batch: Arrow.RecordBatch,
  lines: Array<MemoryStage.LoggedLine> = []
) => Effect.runPromiseExit(inferEffect(req, batch, lines))

export const run = async (req: PrepareRequest, batch: Arrow.RecordBatch) => {
  const exit = await runExit(req, batch)
  if (exit._tag === "Failure") throw new Error(`the engine failed: ${String(exit.cause)}`)
  return exit.value
}

/** The values of one output column, plain. */
export const column = (batch: Arrow.RecordBatch, name: string) =>
  [...batch.getChild(name)!].map((v) =>
    typeof v === "bigint" ? Number(v) : typeof v === "object" ? plainValue(v) : v
  )

export const waitFor = async (condition: () => boolean, millis = 5_000) => {
  const until = Date.now() + millis
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
