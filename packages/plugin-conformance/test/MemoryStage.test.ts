import { describe, expect, it } from "@effect/vitest"
import { FileReader, PluginLogger } from "@runbatch/plugin-api"
import { Effect, Stream } from "effect"
import { MemoryStage } from "../src/index.ts"

const big = new Uint8Array(200_000).map((_, i) => i % 251)
const files = new Map([
  ["@DB.S.ST/a.bin", new Uint8Array([1, 2, 3])],
  ["@DB.S.ST/big.bin", big]
])

describe("MemoryStage.host", () => {
  it("reads, streams and sizes files, and refuses missing or oversized ones like a real stage", async () => {
    const lines: Array<MemoryStage.LoggedLine> = []
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const reader = yield* FileReader
        const logger = yield* PluginLogger
        yield* logger.info("reading", { files: 2 })
        const small = yield* reader.read("@DB.S.ST/a.bin")
        const streamed = yield* reader.stream("@DB.S.ST/big.bin").pipe(Stream.runCollect)
        const size = yield* reader.size("@DB.S.ST/big.bin")
        const missing = yield* Effect.flip(reader.read("@DB.S.ST/none.bin"))
        const tooLarge = yield* Effect.flip(reader.read("@DB.S.ST/big.bin", { maxBytes: 1000 }))
        return { small, streamed, size, missing, tooLarge }
      }).pipe(Effect.provide(MemoryStage.host(files, lines)))
    )
    expect(Array.from(result.small)).toEqual([1, 2, 3])
    expect(result.streamed.length).toBeGreaterThan(1)
    expect(Buffer.concat(result.streamed).equals(Buffer.from(big))).toBe(true)
    expect(result.size).toBe(200_000)
    expect(result.missing.problem).toBe("not_found")
    expect(result.tooLarge.problem).toBe("too_large")
    expect(result.tooLarge.message).toContain("1000-byte limit")
    expect(lines).toEqual([{ level: "info", message: "reading", fields: { files: 2 } }])
  })
})
