// The local account's ModelRegistry against the suite every registry backend passes (the Snowflake
// layer runs it through the emulator in @runbatch/emulator's tests).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ModelRegistry } from "@runbatch/registry-client"
import { StageStore } from "@runbatch/stage-io"
import { Layer } from "effect"
import { onTestFinished } from "vitest"
import { registryConformance } from "../src/index.ts"

registryConformance({
  backend: "local",
  registry: () => {
    const home = mkdtempSync(join(tmpdir(), "runbatch-registry-conformance-"))
    onTestFinished(() => rmSync(home, { recursive: true, force: true }))
    const account = { home, database: "ML", schema: "PUBLIC" }
    const layer = Layer.merge(ModelRegistry.layerLocalAccount(account), StageStore.layerLocalHome(account))
    return { layer, home }
  }
})
