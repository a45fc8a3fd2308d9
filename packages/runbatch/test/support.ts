/** Facade test helpers: a fresh home with a session, and models logged from the sample builders. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OnnxModels, TestEngine } from "@runbatch/testkit"
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

/** The testkit engine's model: y = 2x − z + 0.25 (options add injected faults and delays). */
export const linearSignature = TestEngine.signature
export const LINEAR_WEIGHTS = [2, -1] as const
export const LINEAR_BIAS = 0.25
export const linearColumns = TestEngine.columns
export type LinearRow = { readonly ID: number; readonly X: number; readonly Z: number }
export const linearRows = (n: number): Array<LinearRow> =>
  Array.from({ length: n }, (_, i) => ({ ID: i, X: i * 0.5, Z: (i % 7) - 3 }))

/** Log the testkit engine's model as `name` V1; `engineOptions` add to its weights and bias. */
export const logLinear = (
  session: Session,
  engineOptions: Record<string, unknown> = {},
  more: { readonly name?: string; readonly artifacts?: ReadonlyArray<string> } = {}
) =>
  session.registry.logModel({
    name: more.name ?? "LINEAR",
    version: "V1",
    engine: TestEngine.id,
    engineOptions: { weights: [...LINEAR_WEIGHTS], bias: LINEAR_BIAS, ...engineOptions } as never,
    ...(more.artifacts === undefined ? {} : { artifacts: [...more.artifacts] }),
    signatures: { predict: linearSignature }
  })

/** The job's folder under the account's home. */
export const jobDir = (home: string, job: string): string =>
  LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name: job })

/** A replica's pid, from its supervisor's log (the newest attempt's). */
export const replicaPid = (home: string, job: string, replica: number): number | undefined => {
  try {
    const log = readFileSync(join(jobDir(home, job), "supervisor.log"), "utf8")
    const match = new RegExp(`replica ${replica} started: pid (\\d+)`).exec(log)
    return match === null ? undefined : Number(match[1])
  } catch {
    return undefined
  }
}

export const until = async (check: () => boolean | Promise<boolean>, what: string, seconds = 30) => {
  const deadline = Date.now() + seconds * 1000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
