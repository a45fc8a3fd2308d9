// The local account's Sql against the suite every Sql backend passes (the Snowflake layer runs it
// through the emulator in @runbatch/emulator's tests).
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Sql } from "@runbatch/session"
import { onTestFinished } from "vitest"
import { sqlConformance } from "../src/index.ts"

sqlConformance({
  backend: "local",
  layer: () => {
    const home = mkdtempSync(join(tmpdir(), "runbatch-sql-conformance-"))
    onTestFinished(() => rmSync(home, { recursive: true, force: true }))
    return Sql.layerLocalAccount({ home, database: "ML", schema: "PUBLIC", threads: 2 })
  }
})
