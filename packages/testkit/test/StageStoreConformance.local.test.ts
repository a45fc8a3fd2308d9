// The local account's StageStore against the suite every StageStore backend passes (the Snowflake
// store runs it through the emulator in @runbatch/emulator's tests).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { StageStore } from "@runbatch/stage-io"
import { onTestFinished } from "vitest"
import { stageStoreConformance } from "../src/index.ts"

stageStoreConformance({
  backend: "local",
  layer: () => {
    const home = mkdtempSync(join(tmpdir(), "runbatch-stage-conformance-home-"))
    onTestFinished(() => rmSync(home, { recursive: true, force: true }))
    return StageStore.layerLocalHome({ home, database: "ML", schema: "PUBLIC" })
  }
})
