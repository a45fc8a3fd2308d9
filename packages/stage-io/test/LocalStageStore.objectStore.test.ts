/**
 * Object-store mode, enforced: every filesystem call the store makes is recorded (node:fs/promises is
 * wrapped), and in object-store mode none may rename, link, copy or open an existing file for
 * writing. Normal mode runs the same workload as a control, so the recorder is known to see calls.
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { StageFileExists } from "@runbatch/spec"
import { Effect, Stream } from "effect"
import { vi } from "vitest"
import { StageStore } from "../src/index.ts"
import { bytes, storeLayer, tempHome, text } from "./support.ts"

const recorded = vi.hoisted(
  () => [] as Array<{ readonly operation: string; readonly args: ReadonlyArray<unknown> }>
)

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>()
  const wrap =
    <F extends (...args: never[]) => unknown>(operation: string, f: F) =>
    (...args: Parameters<F>): ReturnType<F> => {
      recorded.push({ operation, args })
      return f(...args) as ReturnType<F>
    }
  const wrapped = {
    open: wrap("open", actual.open),
    link: wrap("link", actual.link),
    rename: wrap("rename", actual.rename),
    copyFile: wrap("copyFile", actual.copyFile),
    cp: wrap("cp", actual.cp),
    writeFile: wrap("writeFile", actual.writeFile),
    appendFile: wrap("appendFile", actual.appendFile),
    truncate: wrap("truncate", actual.truncate),
    symlink: wrap("symlink", actual.symlink),
    unlink: wrap("unlink", actual.unlink),
    mkdir: wrap("mkdir", actual.mkdir)
  }
  return { ...actual, ...wrapped, default: { ...actual, ...wrapped } }
})

const FORBIDDEN = ["link", "rename", "copyFile", "cp", "writeFile", "appendFile", "truncate", "symlink"]

/** Writes of every kind, the refused second write, a concurrent race, a failed stream, a put, a remove. */
const workload = (home: string) =>
  Effect.gen(function* () {
    const store = yield* StageStore
    yield* store.write("@S/a/bytes.bin", bytes("bytes"))
    yield* store.write("@S/a/stream.bin", Stream.make(bytes("one "), bytes("two")))
    const again = yield* Effect.flip(store.write("@S/a/bytes.bin", bytes("other")))
    expect(again).toBeInstanceOf(StageFileExists)
    const race = yield* Effect.forEach(
      [1, 2, 3, 4],
      (i) => Effect.result(store.write("@S/race", bytes(`writer ${i}`))),
      { concurrency: "unbounded" }
    )
    expect(race.filter((r) => r._tag === "Success")).toHaveLength(1)
    yield* Effect.flip(store.write("@S/broken", Stream.concat(Stream.make(bytes("x")), Stream.fail("broke"))))
    const local = join(home, "local.txt")
    writeFileSync(local, "local")
    yield* store.put(local, "@S/put/")
    expect(yield* store.remove("@S/a/")).toBe(2)
    yield* store.write("@S/a/bytes.bin", bytes("rewritten after remove"))
    expect(text(yield* store.readBytes("@S/a/bytes.bin"))).toBe("rewritten after remove")
    expect(text(yield* store.readBytes("@S/put/local.txt"))).toBe("local")
    expect((yield* store.list("@S")).map((e) => e.path)).toStrictEqual([
      "a/bytes.bin",
      "put/local.txt",
      "race"
    ])
  })

const opensForWriting = () =>
  recorded
    .filter((call) => call.operation === "open" && call.args[1] !== undefined && call.args[1] !== "r")
    .map((call) => ({ path: String(call.args[0]), flags: call.args[1] }))

describe("object-store mode", () => {
  it.effect("never renames, links, copies or overwrites; opens only new names exclusively", () => {
    const home = tempHome()
    recorded.length = 0
    return Effect.gen(function* () {
      yield* workload(home)
      expect(recorded.filter((call) => FORBIDDEN.includes(call.operation))).toStrictEqual([])
      const opens = opensForWriting()
      expect(opens.length).toBeGreaterThanOrEqual(9)
      for (const open of opens) {
        expect(open.flags).toBe("wx")
        expect(open.path).not.toContain(".runbatch-tmp-")
      }
    }).pipe(Effect.provide(storeLayer(home, { objectStore: true })))
  })

  it.effect("control: normal mode writes temporary files and links them (the recorder sees it)", () => {
    const home = tempHome()
    recorded.length = 0
    return Effect.gen(function* () {
      yield* workload(home)
      const links = recorded.filter((call) => call.operation === "link")
      expect(links.length).toBeGreaterThanOrEqual(8)
      for (const call of links) expect(String(call.args[0])).toContain(".runbatch-tmp-")
      expect(recorded.filter((call) => call.operation === "rename")).toStrictEqual([])
      for (const open of opensForWriting()) {
        expect(open.flags).toBe("wx")
        expect(open.path).toContain(".runbatch-tmp-")
      }
    }).pipe(Effect.provide(storeLayer(home, { objectStore: false })))
  })
})
