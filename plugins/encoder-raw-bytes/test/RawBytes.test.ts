import { describe, expect, it } from "@effect/vitest"
import { Arrow } from "@runbatch/plugin-api"
import { encoderConformance, MemoryStage } from "@runbatch/plugin-conformance"
import { Effect } from "effect"
import encoder from "../src/index.ts"

const files = new Map([
  ["@ML.PUBLIC.IMAGES/cat.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])],
  ["@ML.PUBLIC.IMAGES/empty.bin", new Uint8Array()],
  ["@ML.PUBLIC.IMAGES/big.bin", new Uint8Array(5000).fill(7)]
])

encoderConformance({ packageJson: new URL("../package.json", import.meta.url), encoder, files })

const encode = (rows: ReadonlyArray<string | null>, options: Record<string, unknown> = {}) =>
  Effect.runPromise(
    Effect.result(
      Effect.scoped(
        Effect.flatMap(encoder.open({ options: options as never }), (instance) =>
          instance.encode(Arrow.vectorFromArray(rows, new Arrow.Utf8()), {
            column: "IMAGE",
            inputFormat: "full_stage_path",
            convertTo: "raw_bytes"
          })
        )
      ).pipe(Effect.provide(MemoryStage.host(files)))
    )
  )

describe("raw_bytes", () => {
  it("gives each file's exact bytes, including empty files", async () => {
    const result = await encode(["@ML.PUBLIC.IMAGES/cat.png", "@ML.PUBLIC.IMAGES/empty.bin"])
    expect(result._tag).toBe("Success")
    if (result._tag === "Success") {
      expect(Array.from(result.success.vector.get(0) as Uint8Array)).toEqual([
        0x89, 0x50, 0x4e, 0x47, 1, 2, 3
      ])
      expect((result.success.vector.get(1) as Uint8Array).length).toBe(0)
    }
  })

  it("fails the row of a file over maxFileBytes, naming the path and the limit", async () => {
    const result = await encode(["@ML.PUBLIC.IMAGES/big.bin", "@ML.PUBLIC.IMAGES/cat.png"], {
      maxFileBytes: 1000
    })
    expect(result._tag).toBe("Success")
    if (result._tag === "Success") {
      expect(result.success.vector.get(0)).toBeNull()
      expect(result.success.rowErrors).toEqual([
        {
          row: 0,
          message: expect.stringContaining("@ML.PUBLIC.IMAGES/big.bin is larger than the 1000-byte limit")
        }
      ])
    }
  })

  it.each([
    [{ maxFileBytes: 0 }, "maxFileBytes must be a whole number greater than 0, got 0"],
    [{ maxFileBytes: "64MB" }, 'got "64MB"'],
    [{ concurrency: -1 }, "concurrency must be a whole number greater than 0"]
  ])("refuses the bad option %j when opened", async (options, fragment) => {
    const result = await encode(["@ML.PUBLIC.IMAGES/cat.png"], options)
    expect(result._tag).toBe("Failure")
    if (result._tag === "Failure") {
      expect(result.failure._tag).toBe("PluginBatchError")
      expect(result.failure.message).toContain(fragment)
      expect(result.failure.retryable).toBe(false)
    }
  })
})
