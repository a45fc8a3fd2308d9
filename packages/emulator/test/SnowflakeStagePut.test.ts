/**
 * A put onto a Snowflake stage whose source file changes between planning and upload: refused with
 * LocalFileError naming the file, and the files this put had already uploaded are removed again —
 * nothing half-written is left on the stage. The change is made deterministic by planning the file
 * with the size it had before it grew.
 */
import { statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { SnowflakeSession, SnowflakeStages } from "@runbatch/session"
import { StageLocation } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect, Layer } from "effect"
import { Emulator } from "../src/index.ts"
import { PASSWORD, snowflakeOptions, tempDir } from "./support.ts"

const sessionAndStore = () =>
  Layer.unwrap(
    Effect.map(
      Emulator.start({ home: tempDir("emulator-put-"), password: PASSWORD, threads: 2 }),
      (running) =>
        SnowflakeStages.layer.pipe(
          Layer.provideMerge(
            Layer.effectDiscard(
              SnowflakeSession.use(({ client }) =>
                client.run("CREATE STAGE INPUTS ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')")
              )
            ).pipe(Layer.provideMerge(SnowflakeSession.layer(snowflakeOptions(running))))
          )
        )
    )
  )

describe("put onto a Snowflake stage (emulator)", () => {
  it.live(
    "refuses a file that changed since it was planned and removes what the put had uploaded",
    () =>
      Effect.gen(function* () {
        const folder = tempDir("put-source-")
        const first = join(folder, "a.txt")
        const second = join(folder, "b.txt")
        writeFileSync(first, "first")
        writeFileSync(second, "second")
        const planned = (file: string, name: string, size: number) =>
          Effect.map(
            StageLocation.parse(`@INPUTS/in/${name}`, { database: "ML", schema: "PUBLIC" }),
            (location) => ({
              file,
              location,
              size,
              modified: statSync(file).mtimeMs
            })
          )
        // b.txt was one byte shorter when the put found it: it grew before its upload.
        const items = [yield* planned(first, "a.txt", 5), yield* planned(second, "b.txt", 5)]
        const session = yield* SnowflakeSession
        const error = yield* Effect.flip(SnowflakeStages.putPlannedFiles(session, items))
        expect(error).toMatchObject({ _tag: "LocalFileError", path: second })
        expect(error.message).toContain("changed while it was being put")
        const left = yield* StageStore.use((store) => store.list("@INPUTS/"))
        expect(left).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(sessionAndStore())),
    60_000
  )
})
