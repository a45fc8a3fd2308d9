import { describe, expect, it } from "@effect/vitest"
import { collectEveryBytes, DEFAULT_COLLECT_EVERY_MB, makeFileMemory } from "../src/FileMemory.ts"

const MiB = 1024 * 1024

describe("FileMemory", () => {
  it("collects before a batch once the batches before it read the threshold, then counts again", () => {
    let collections = 0
    const memory = makeFileMemory(16 * MiB, () => () => void collections++)
    memory.beforeFileBatch(10 * MiB)
    memory.beforeFileBatch(5 * MiB)
    expect(collections).toBe(0)
    memory.beforeFileBatch(10 * MiB) // 15 MiB read before it: not yet
    expect(collections).toBe(0)
    memory.beforeFileBatch(1 * MiB) // 25 MiB before it
    expect(collections).toBe(1)
    memory.beforeFileBatch(15 * MiB) // 1 MiB since
    expect(collections).toBe(1)
    memory.beforeFileBatch(64 * MiB) // 16 MiB since
    expect(collections).toBe(2)
    memory.beforeFileBatch(1) // a batch larger than the threshold is collected before the next
    expect(collections).toBe(3)
  })

  it("never collects for batches that read no files, or when turned off", () => {
    let collections = 0
    const count = () => () => void collections++
    const tables = makeFileMemory(16 * MiB, count)
    for (let i = 0; i < 100; i++) tables.beforeFileBatch(0)
    const off = makeFileMemory(0, count)
    for (let i = 0; i < 100; i++) off.beforeFileBatch(64 * MiB)
    expect(collections).toBe(0)
  })

  it("asks for V8's gc once, and goes on without one if there is none", () => {
    let asked = 0
    const memory = makeFileMemory(1, () => {
      asked++
      return undefined
    })
    for (let i = 0; i < 5; i++) memory.beforeFileBatch(10)
    expect(asked).toBe(1)
  })

  it("reads RUNBATCH_FILE_GC_MB as whole MiB, 0 for never, anything else as the default", () => {
    expect(collectEveryBytes("32")).toBe(32 * MiB)
    expect(collectEveryBytes("0")).toBe(0)
    for (const text of [undefined, "", "-1", "1.5", "lots"])
      expect(collectEveryBytes(text)).toBe(DEFAULT_COLLECT_EVERY_MB * MiB)
  })

  it("really collects: V8's gc, got without --expose-gc, frees a dropped buffer", async () => {
    const memory = makeFileMemory(1)
    const dropped = (() => {
      const buffer = new Uint8Array(8 * MiB).fill(1)
      memory.beforeFileBatch(buffer.length)
      return new WeakRef(buffer)
    })()
    // A WeakRef keeps its target for the rest of the task that made it.
    await new Promise((resolve) => setImmediate(resolve))
    memory.beforeFileBatch(1)
    expect(dropped.deref()).toBeUndefined()
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined()
  })
})
