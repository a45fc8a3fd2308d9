import { describe, expect, it } from "@effect/vitest"
import { RegistryPromise } from "@runbatch/registry-client"
import { FunctionNotSpecified, ModelNotFound, ModelVersionExists } from "@runbatch/spec"
import { explain, irisOptions, predict, tempHome } from "./support.ts"

describe("RegistryPromise", () => {
  it("has every operation as a Promise, rejecting with the typed errors themselves", async () => {
    const home = tempHome()
    await using registry = RegistryPromise.local({ home, database: "ML", schema: "PUBLIC" })
    expect(await registry.scope()).toEqual({ database: "ML", schema: "PUBLIC" })
    const logged = await registry.logModel(irisOptions(home, { signatures: { predict, explain } }))
    expect(logged.artifacts[0]!.location).toBe(
      "snow://model/ML.PUBLIC.IRIS/versions/V1/model/artifacts/model.onnx"
    )
    await registry.logModel(irisOptions(home, { version: "v2", artifacts: [] }))
    await expect(registry.logModel(irisOptions(home, { artifacts: [] }))).rejects.toBeInstanceOf(
      ModelVersionExists
    )

    expect((await registry.getModel("iris")).versions).toEqual(["V1", "V2"])
    expect((await registry.getVersion("IRIS")).version).toBe("V1")
    expect((await registry.listModels()).map((m) => m.name)).toEqual(["IRIS"])
    expect((await registry.showVersions("iris")).map((v) => [v.name, v.isDefaultVersion])).toEqual([
      ["V1", true],
      ["V2", false]
    ])
    expect((await registry.showFunctions("iris", "v1")).map((f) => f.name)).toEqual(["PREDICT", "EXPLAIN"])
    expect((await registry.resolveFunction("iris", "v1", "explain")).targetMethod).toBe("explain")
    await expect(registry.resolveFunction("iris", "v1")).rejects.toBeInstanceOf(FunctionNotSpecified)

    await registry.setDefaultVersion("iris", "v2")
    await registry.deleteVersion("iris", "v1")
    expect((await registry.getModel("iris")).versions).toEqual(["V2"])

    const staging = registry.forSchema({ database: "ML", schema: "STAGING" })
    await staging.logModel(irisOptions(home, { name: "wine", artifacts: [] }))
    expect((await staging.listModels()).map((m) => m.name)).toEqual(["WINE"])
    expect((await registry.listModels()).map((m) => m.name)).toEqual(["IRIS"])
    await expect(registry.getModel("wine")).rejects.toBeInstanceOf(ModelNotFound)
    await staging.deleteModel("wine")
    await expect(staging.getModel("wine")).rejects.toMatchObject({ _tag: "ModelNotFound" })
  })
})
