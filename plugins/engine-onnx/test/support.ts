/** Engine tests: models as artifacts in an in-memory stage, requests, and running a batch. */
import type { Arrow, PrepareRequest } from "@runbatch/plugin-api"
import type { Signature } from "@runbatch/spec"
import { EngineRun } from "@runbatch/testkit"
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
  Effect.runPromise(Effect.result(EngineRun.prepare(engine, req, { files: stageFiles(artifacts) })))

export const run = async (
  req: PrepareRequest,
  artifacts: Readonly<Record<string, Uint8Array>>,
  batch: Arrow.RecordBatch
) => (await Effect.runPromise(EngineRun.infer(engine, req, batch, { files: stageFiles(artifacts) }))).result
