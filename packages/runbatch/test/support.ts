/** Facade test helpers: a fresh home with a session, and models logged from the sample builders. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Signature } from "@runbatch/spec"
import { OnnxModels } from "@runbatch/testkit"
import { onTestFinished } from "vitest"
import { Session } from "../src/index.ts"

export const tempHome = (): string => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-facade-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  return home
}

export const localSession = (home: string): Session => {
  const session = Session.local({ home, database: "ML", schema: "PUBLIC" })
  onTestFinished(() => session.close())
  return session
}

export const FEATURES = 13
export const gbdtSignature = Signature.signature(
  Array.from({ length: FEATURES }, (_, j) => Signature.feature(`f${j}`, "DOUBLE")),
  [Signature.feature("label", "INT64"), Signature.feature("probabilities", "FLOAT", { shape: [3] })]
)

/** Log the sample GBDT as `name` V1 with the onnx engine. */
export const logGbdt = async (session: Session, home: string, name = "GBDT") => {
  const path = join(home, "gbdt.onnx")
  writeFileSync(path, OnnxModels.gbdt())
  return session.registry.logModel({
    name,
    version: "V1",
    engine: "onnx",
    artifacts: [{ name: "model.onnx", path }],
    signatures: { predict: gbdtSignature }
  })
}

/** `n` rows of ID and F0..F12, two decimals, the same for the same seed. */
export const gbdtRows = (n: number, seed = 5): Array<Record<string, number>> => {
  const next = OnnxModels.random(seed)
  return Array.from({ length: n }, (_, i) => {
    const row: Record<string, number> = { ID: i }
    for (let j = 0; j < FEATURES; j++) row[`F${j}`] = Math.round(next() * 1000) / 100
    return row
  })
}

export const gbdtColumns = [
  Signature.feature("ID", "INT64"),
  ...Array.from({ length: FEATURES }, (_, j) => Signature.feature(`F${j}`, "DOUBLE"))
]
