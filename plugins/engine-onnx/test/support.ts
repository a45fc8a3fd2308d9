/** Engine tests: models as artifacts in an in-memory stage, requests, and running a batch. */
import type { Arrow, Prepared, PrepareRequest } from "@runbatch/plugin-api"
import type { Signature } from "@runbatch/spec"
import { MemoryStage } from "@runbatch/testkit"
import { Effect } from "effect"
import engine from "../src/index.ts"

const base = "snow://model/ML.PUBLIC.M/versions/V1/model/artifacts/"

export const stageFiles = (artifacts: Readonly<Record<string, Uint8Array>>) =>
  new Map(Object.entries(artifacts).map(([name, bytes]) => [`${base}${name}`, bytes]))

export const request = (
  signature: Signature.ModelSignature,
  artifacts: Readonly<Record<string, Uint8Array>>,
  options: Readonly<Record<string, unknown>> = {}
): PrepareRequest => ({
  function: { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION" },
  signature,
  options: options as PrepareRequest["options"],
  params: {},
  artifacts: Object.entries(artifacts).map(([name, bytes]) => ({
    name,
    location: `${base}${name}`,
    bytes: bytes.length
  })),
  engineArgsOverride: []
})

export const prepare = (req: PrepareRequest, artifacts: Readonly<Record<string, Uint8Array>>) =>
  Effect.runPromise(
    Effect.result(engine.prepare(req).pipe(Effect.provide(MemoryStage.host(stageFiles(artifacts)))))
  )

export const run = (
  req: PrepareRequest,
  artifacts: Readonly<Record<string, Uint8Array>>,
  batch: Arrow.RecordBatch
) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const prepared: Prepared = yield* engine.prepare(req)
        const session = yield* engine.open({
          ...req,
          outputSchema: prepared.outputSchema,
          threads: 1,
          replica: 0,
          worker: 0
        })
        return yield* session.infer(batch, {})
      })
    ).pipe(Effect.provide(MemoryStage.host(stageFiles(artifacts))))
  )
