/** vllm engine tests: requests, a batch of messages, and running the engine against a fake server. */
import { Arrow, type PrepareRequest } from "@runbatch/plugin-api"
import type { Json, Signature } from "@runbatch/spec"
import { ChatSignatures, EngineRun, type MemoryStage, plainRows } from "@runbatch/testkit"
import { Effect, type Exit } from "effect"
import engine from "../src/index.ts"

export const request = (
  options: Readonly<Record<string, unknown>>,
  signature: Signature.ModelSignature = ChatSignatures.chatWithParams(),
  params: Readonly<Record<string, Json>> = {},
  engineArgsOverride: ReadonlyArray<string> = []
): PrepareRequest => ({
  function: { name: "__CALL__", targetMethod: "__call__", kind: "FUNCTION" },
  signature,
  options: options as PrepareRequest["options"],
  params,
  artifacts: [],
  engineArgsOverride
})

/** Messages of one user turn per prompt, as JSON text (what the chat-messages encoder hands on). */
export const userMessages = (prompt: string) => JSON.stringify([{ role: "user", content: prompt }])

export const messagesBatch = (
  prompts: ReadonlyArray<string | null>,
  extra: Readonly<Record<string, Arrow.Vector>> = {}
) =>
  new Arrow.RecordBatch({
    messages: Arrow.vectorFromArray(
      prompts.map((p) => (p === null ? null : userMessages(p))),
      new Arrow.Utf8()
    ).data[0]!,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.data[0]!]))
  })

export const prepare = (req: PrepareRequest) =>
  Effect.runPromise(Effect.result(EngineRun.prepare(engine, req)))

/** prepare, open and infer one batch, with the job's params. */
export const runExit = (
  req: PrepareRequest,
  batch: Arrow.RecordBatch,
  lines: Array<MemoryStage.LoggedLine> = []
) => Effect.runPromiseExit(inferEffect(req, batch, lines))

export const inferEffect = (
  req: PrepareRequest,
  batch: Arrow.RecordBatch,
  lines: Array<MemoryStage.LoggedLine> = []
) => Effect.map(EngineRun.infer(engine, req, batch, { lines }), ({ result }) => result)

export const run = async (req: PrepareRequest, batch: Arrow.RecordBatch) => {
  const exit = await runExit(req, batch)
  if (exit._tag === "Failure") throw new Error(`the engine failed: ${String(exit.cause)}`)
  return exit.value
}

export type RunExit = Exit.Exit<unknown, unknown>

/** The rows of an output batch as plain objects. */
export const rows = (batch: Arrow.RecordBatch) => plainRows(batch)
