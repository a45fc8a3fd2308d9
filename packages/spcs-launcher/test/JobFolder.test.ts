import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { readJson, readLines, writeJsonAtomic } from "../src/JobFolder.ts"

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "runbatch-job-folder-"))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

describe("job folder records", () => {
  it("replaces a record whole and leaves no temporary file behind", () => {
    const path = join(dir, "status.json")
    expect(readJson(path)).toBeUndefined()
    writeJsonAtomic(path, { status: "PENDING" })
    writeJsonAtomic(path, { status: "RUNNING" })
    expect(readJson(path)).toEqual({ status: "RUNNING" })
    expect(readdirSync(dir)).toEqual(["status.json"])
  })

  it("reads a log's last lines from its end, also across read chunks", () => {
    const path = join(dir, "replica-0.log")
    expect(readLines(path)).toEqual([])
    expect(readLines(path, 3)).toEqual([])
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${"x".repeat(i % 50)}`) // ~250 KB
    writeFileSync(path, `${lines.join("\n")}\n`)
    expect(readLines(path)).toEqual(lines)
    expect(readLines(path, 0)).toEqual([])
    expect(readLines(path, 1)).toEqual([`line 4999 ${"x".repeat(4999 % 50)}`])
    for (const limit of [2, 1234, 4000, 4999, 5000, 6000])
      expect(readLines(path, limit)).toEqual(lines.slice(-limit))
  })
})
