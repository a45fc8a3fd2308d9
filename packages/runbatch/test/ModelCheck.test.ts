/**
 * `checkModel`, what `model log` runs before the registry writes a version that never changes: the
 * engine's own plan-time check on the version's local files, options and signatures — a CSV passed as
 * the ONNX graph, a misspelt option, a value the engine does not take, a signature that does not bind
 * are refused; what it cannot judge (an engine not installed here, a file that is missing) is left to
 * the run and to the registry.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Signature } from "@runbatch/spec"
import { OnnxModels, TestEngine } from "@runbatch/testkit"
import { Effect } from "effect"
import { checkModel, type Session } from "../src/index.ts"
import { gbdtSignature, localSession, tempHome } from "./support.ts"

const setup = () => {
  const home = tempHome()
  const onnx = join(home, "gbdt.onnx")
  writeFileSync(onnx, OnnxModels.gbdt())
  const csv = join(home, "iris.csv")
  writeFileSync(csv, "a,b,c\n1,2,3\n")
  return { home, onnx, csv, session: localSession(home) }
}

const log = (artifact: string, extra: Record<string, unknown> = {}) => ({
  name: "GBDT",
  version: "V1",
  engine: "onnx",
  signatures: { predict: gbdtSignature },
  artifacts: [{ name: "model.onnx", path: artifact }],
  ...extra
})

const refusal = async (session: Session, options: ReturnType<typeof log>) => {
  const error = await session.checkModel(options).then(
    () => undefined,
    (e: Error & { _tag: string }) => e
  )
  expect(error?._tag).toBe("EnginePrepareError")
  return error?.message ?? ""
}

describe("checking a model version before it is logged", () => {
  it("passes a graph its signature binds to", async () => {
    const { session, onnx } = setup()
    await expect(session.checkModel(log(onnx))).resolves.toBeUndefined()
  })

  it("refuses a CSV passed as the ONNX graph", async () => {
    const { session, csv } = setup()
    expect(await refusal(session, log(csv))).toContain("onnxruntime cannot load the graph")
  })

  it("refuses a misspelt option with what was meant, and a channels value the engine does not take", async () => {
    const { session, onnx } = setup()
    expect(await refusal(session, log(onnx, { engineOptions: { treads: 2 } }))).toContain(
      "treads: unknown option. Did you mean 'threads'?"
    )
    const image = { feature: "f0", height: 8, channels: "grey" }
    expect(await refusal(session, log(onnx, { engineOptions: { image } }))).toContain(
      'image.channels: Expected "rgb" | "bgr" | "gray", got "grey"'
    )
  })

  it("refuses a signature that does not bind to the graph, for any of the version's functions", async () => {
    const { session, onnx } = setup()
    const twelve = Signature.signature(gbdtSignature.inputs.slice(0, 12), gbdtSignature.outputs)
    const options = { ...log(onnx), signatures: { predict: gbdtSignature, predict_short: twelve } }
    expect(await refusal(session, options)).toContain("takes 13 values per row but 12 feature(s)")
  })

  it("refuses an engine not installed here, and leaves a missing file to the registry", async () => {
    const { session, home, onnx } = setup()
    await expect(session.checkModel(log(onnx, { engine: "not-installed" }))).rejects.toMatchObject({
      _tag: "PluginNotFound",
      request: "not-installed"
    })
    await expect(session.checkModel(log(join(home, "missing.onnx")))).resolves.toBeUndefined()
  })

  it("checks a third-party engine named as a plugin, through the Effect face too", async () => {
    const { session, onnx } = setup()
    const options = { ...log(onnx), engine: TestEngine.id, engineOptions: { weights: "two" } }
    const failure = await Effect.runPromise(Effect.flip(checkModel(options, [TestEngine.packageDir])))
    expect(failure._tag).toBe("EnginePrepareError")
    // Not named as a plugin, it is not there to check with.
    await expect(session.checkModel(options)).rejects.toMatchObject({ _tag: "PluginNotFound" })
  })
})
