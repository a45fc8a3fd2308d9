import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { onTestFinished } from "@effect/vitest"
import { type LogModelOptions, ModelRegistry } from "@runbatch/registry-client"
import { Signature } from "@runbatch/spec"

/** A fresh account home, removed when the test ends. */
export const tempHome = (): string => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  return home
}

/** The registry of a fresh account whose current database and schema are ML.PUBLIC. */
export const registryLayer = (home: string) =>
  ModelRegistry.layerLocalAccount({ home, database: "ML", schema: "PUBLIC" })

export const predict = Signature.signature(
  [Signature.feature("sepal_length", "DOUBLE"), Signature.feature("sepal_width", "DOUBLE")],
  [Signature.feature("label", "INT64"), Signature.feature("probabilities", "FLOAT", { shape: [3] })],
  [Signature.param("threshold", "DOUBLE", 0.5)]
)

export const explain = Signature.signature(
  [Signature.feature("sepal_length", "DOUBLE")],
  [Signature.feature("shap", "DOUBLE")]
)

/** A local file to log as an artifact. */
export const localFile = (home: string, name: string, content: string | Uint8Array): string => {
  const dir = join(home, "local-files")
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}

export const sha256 = (content: string | Uint8Array): string =>
  createHash("sha256").update(content).digest("hex")

/** Overrides for `irisOptions`; `undefined` leaves an option out. */
export type Overrides = { readonly [K in keyof LogModelOptions]?: LogModelOptions[K] | undefined }

/** A model IRIS, version V1, run by onnx, with one artifact and one method. */
export const irisOptions = (home: string, overrides: Overrides = {}): LogModelOptions => {
  const options: Record<string, unknown> = {
    name: "iris",
    version: "v1",
    engine: "onnx",
    engineOptions: { inputs: "auto" },
    artifacts: [localFile(home, "model.onnx", "ONNX-BYTES")],
    signatures: { predict },
    comment: "first",
    metadata: { accuracy: 0.97 },
    ...overrides
  }
  for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key]
  return options as unknown as LogModelOptions
}

/** Every file under `dir` with its sha256, to show that nothing changed. */
export const snapshot = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (current: string) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry)
      if (statSync(path).isDirectory()) walk(path)
      else out[relative(dir, path)] = sha256(readFileSync(path))
    }
  }
  walk(dir)
  return out
}
