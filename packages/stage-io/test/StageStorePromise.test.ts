import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { LocalAccount } from "@runbatch/account"
import { InvalidStageLocation, LocalFileError, StageFileError, StageFileExists } from "@runbatch/spec"
import { Layer, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import { StageStore, StageStorePromise } from "../src/index.ts"
import { bytes, stageDir, tempHome, text } from "./support.ts"

async function* chunks(...parts: ReadonlyArray<string>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield bytes(part)
}

describe("StageStorePromise", () => {
  it("does everything the service does, with Promises and async iterables", async () => {
    const home = tempHome()
    await using stages = StageStorePromise.local({ home, database: "ML", schema: "PUBLIC" })
    await stages.write("@DATA/a.txt", bytes("hello"))
    await stages.write("@DATA/dir/b.txt", chunks("wor", "ld"))
    const local = join(home, "local.csv")
    writeFileSync(local, "x\n1\n")
    await stages.put(local, "@DATA/dir/")
    // Folders too, as `runbatch stage put` copies them.
    const folder = join(home, "folder")
    mkdirSync(join(folder, "sub"), { recursive: true })
    writeFileSync(join(folder, "sub", "c.csv"), "c\n")
    expect(await stages.put(folder, "@DATA/copied/")).toStrictEqual(["@ML.PUBLIC.DATA/copied/sub/c.csv"])
    const entries = await stages.list("@DATA", { pattern: ".*\\.txt" })
    expect(entries.map((e) => e.location)).toStrictEqual([
      "@ML.PUBLIC.DATA/a.txt",
      "@ML.PUBLIC.DATA/dir/b.txt"
    ])
    expect(text(await stages.readBytes("@DATA/dir/b.txt"))).toBe("world")
    expect(await stages.size("@DATA/dir/b.txt")).toBe(5)
    const read: Array<string> = []
    for await (const chunk of stages.read("@DATA/dir/local.csv")) read.push(text(chunk))
    expect(read.join("")).toBe("x\n1\n")
    expect(await stages.exists("@DATA/a.txt")).toBe(true)
    expect(await stages.localPath("@DATA/a.txt")).toBe(join(stageDir(home, "DATA"), "a.txt"))
    expect(await stages.remove("@DATA/dir/")).toBe(2)
    expect(await stages.exists("@DATA/dir/")).toBe(false)
  })

  it("rejects with the typed errors themselves", async () => {
    const home = tempHome()
    await using stages = StageStorePromise.local({
      home,
      database: "ML",
      schema: "PUBLIC",
      objectStore: true
    })
    await stages.write("@S/f", bytes("1"))
    await expect(stages.write("@S/f", bytes("2"))).rejects.toBeInstanceOf(StageFileExists)
    await expect(stages.readBytes("@S/missing")).rejects.toBeInstanceOf(StageFileError)
    await expect(stages.readBytes("@S/../x")).rejects.toBeInstanceOf(InvalidStageLocation)
    await expect(stages.put(join(home, "nope"), "@S/")).rejects.toBeInstanceOf(LocalFileError)
    const failingRead = async () => {
      for await (const _ of stages.read("@S/missing")) expect.unreachable()
    }
    await expect(failingRead()).rejects.toMatchObject({ _tag: "StageFileError", problem: "not_found" })
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield bytes("partial")
      throw new Error("source broke")
    }
    await expect(stages.write("@S/g", broken())).rejects.toThrow("source broke")
    expect(await stages.exists("@S/g")).toBe(false)
  })

  it("breaking out of a read closes it; wrapping an existing runtime works too", async () => {
    const home = tempHome()
    const runtime = ManagedRuntime.make(
      StageStore.layerLocal().pipe(
        Layer.provide(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
      )
    )
    const stages = new StageStorePromise(runtime)
    await stages.write("@S/big", new Uint8Array(1_000_000))
    let seen = 0
    for await (const chunk of stages.read("@S/big")) {
      seen += chunk.byteLength
      break
    }
    expect(seen).toBe(64 * 1024)
    // Closing a wrapper does not dispose a runtime it does not own.
    await stages.close()
    expect(await stages.exists("@S/big")).toBe(true)
    await runtime.dispose()
    expect(existsSync(join(stageDir(home, "S"), "big"))).toBe(true)
  })
})
