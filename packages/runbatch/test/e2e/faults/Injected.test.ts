/**
 * Faults injected into one part of a running job: a corrupt staged input shard, a staged input file
 * changed in place, temporary files left by writers killed mid-write, an engine failing for good, and
 * a write that fails at the output committer (a part file and a commit record that cannot be
 * written). Each job ends FAILED cleanly; once the cause is gone, resuming finishes it with output
 * equal to an uninterrupted run.
 */
import { randomUUID } from "node:crypto"
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync
} from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { OutputLayout } from "@runbatch/stage-io"
import type { Session } from "../../../src/index.ts"
import { localSession, tempHome } from "../../support.ts"
import {
  changeOneValueInPlace,
  expectCleanFailure,
  expectResumedComplete,
  logLinear,
  outputDir,
  rows,
  startJob
} from "./support.ts"

const input = rows(3000)

const start = (session: Session, job: string, path: string) => startJob(session, job, path, input)

/** The job's private folder inside its output. */
const privateDir = (home: string, path: string, job: string) =>
  join(outputDir(home, path), OutputLayout.RESERVED, OutputLayout.jobFolder(`ML.PUBLIC.${job}`))

describe("injected faults", () => {
  it("a corrupt input shard: FAILED naming the shard; a changed input refuses resume; restored, it resumes", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session, { delayMillis: 30 })
    const job = await start(session, "CORRUPT", "corrupt/")
    // Garble the data pages at the end of the last staged file (its footer intact, so the file opens
    // and the rows before read fine) before the replicas, still starting, reach them.
    const inputDir = join(privateDir(home, "corrupt/", "CORRUPT"), "input")
    const files = readdirSync(inputDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".parquet"))
      .map((e) => join(e.parentPath, e.name))
      .sort()
    const target = files.at(-1)!
    const original = readFileSync(target)
    const footer = original.readUInt32LE(original.length - 8) + 8
    const end = original.length - footer
    const from = Math.floor(end * 0.75)
    const fd = openSync(target, "r+")
    writeSync(fd, Buffer.alloc(end - from, 0xa5), 0, end - from, from)
    closeSync(fd)

    const committed = await expectCleanFailure(session, home, "CORRUPT", "corrupt/")
    expect((await job.describe()).message).toMatch(
      /damaged parquet file\) while running shard \d+ \(data_\d+\.parquet/
    )
    expect(committed.size).toBeGreaterThan(0)
    // The staged input is not what was planned (cut short): resuming is refused, naming the file.
    writeFileSync(target, original.subarray(0, original.length - 1))
    await expect(session.resumeJob("CORRUPT")).rejects.toMatchObject({
      _tag: "ResumeRefused",
      message: expect.stringContaining("staged input file")
    })
    writeFileSync(target, original)
    await expectResumedComplete(session, home, "CORRUPT", "corrupt/", input, committed)
  })

  it("a staged input file changed in place (same size, still parquet) refuses resume, naming it; restored, it resumes", async () => {
    const home = tempHome()
    const session = localSession(home)
    const outage = join(home, "outage")
    writeFileSync(outage, "")
    await logLinear(session, {
      delayMillis: 10,
      fatalWhen: { feature: "x", equals: 1250 },
      fatalWhileExists: outage
    })
    await start(session, "CHANGED", "changed/")
    const committed = await expectCleanFailure(session, home, "CHANGED", "changed/")
    rmSync(outage)
    // One value of the first staged file changes; its size and parquet framing do not.
    const inputDir = join(privateDir(home, "changed/", "CHANGED"), "input")
    const [first] = readdirSync(inputDir)
      .filter((name) => name.endsWith(".parquet"))
      .sort()
    const target = join(inputDir, first!)
    const original = changeOneValueInPlace(target)
    expect(readFileSync(target).length).toBe(original.length)
    await expect(session.resumeJob("CHANGED")).rejects.toMatchObject({
      _tag: "ResumeRefused",
      message: expect.stringMatching(new RegExp(`its staged input file \\S*/input/${first} changed`))
    })
    writeFileSync(target, original)
    await expectResumedComplete(session, home, "CHANGED", "changed/", input, committed)
  })

  it("temporary files of writers killed mid-write are gone once resumed: the folder holds only parts, manifest and _SUCCESS", async () => {
    const home = tempHome()
    const session = localSession(home)
    const outage = join(home, "outage")
    writeFileSync(outage, "")
    await logLinear(session, {
      delayMillis: 10,
      fatalWhen: { feature: "x", equals: 1250 },
      fatalWhileExists: outage
    })
    await start(session, "TEMPS", "temps/")
    const committed = await expectCleanFailure(session, home, "TEMPS", "temps/")
    rmSync(outage)
    // What kills -9 during writes leave (normal mode writes a temporary file, then links it): one
    // killed before writing a byte, one between link and unlink (a second name of a committed part, of
    // its commit record).
    const out = outputDir(home, "temps/")
    const commits = join(privateDir(home, "temps/", "TEMPS"), "commits")
    const temp = (folder: string) => join(folder, `.runbatch-tmp-4242-${randomUUID()}`)
    const [part] = [...committed.values()]
    writeFileSync(temp(out), "")
    linkSync(join(out, part!), temp(out))
    writeFileSync(temp(commits), "")
    linkSync(join(commits, readdirSync(commits).find((name) => name.endsWith(".json"))!), temp(commits))

    await expectResumedComplete(session, home, "TEMPS", "temps/", input, committed)
    const manifest = JSON.parse(readFileSync(join(out, "_manifest.json"), "utf8")) as {
      parts: ReadonlyArray<{ name: string }>
    }
    const left = readdirSync(out, { recursive: true, withFileTypes: true })
      .map((entry) => relative(out, join(entry.parentPath, entry.name)))
      .sort()
    expect(left).toEqual([...manifest.parts.map((p) => p.name), "_SUCCESS", "_manifest.json"].sort())
  })

  it("an engine failing for good mid-job: FAILED with its reason; after the outage, resumed", async () => {
    const home = tempHome()
    const session = localSession(home)
    const outage = join(home, "outage")
    writeFileSync(outage, "")
    // Row 2500 (x = 1250) fails its batch, not retryably, while the outage lasts.
    await logLinear(session, {
      delayMillis: 10,
      fatalWhen: { feature: "x", equals: 1250 },
      fatalWhileExists: outage
    })
    const job = await start(session, "ENGINE", "engine/")
    const committed = await expectCleanFailure(session, home, "ENGINE", "engine/")
    expect((await job.describe()).message).toContain("injected fatal failure")
    expect(committed.size).toBeGreaterThan(0)
    rmSync(outage)
    await expectResumedComplete(session, home, "ENGINE", "engine/", input, committed)
  })

  it("a write failing at the committer — a part, then a commit record — fails the job; resumed, nothing is lost", async () => {
    const home = tempHome()
    const session = localSession(home)
    await logLinear(session, { delayMillis: 10 })
    // The last shard's part file cannot be written: something else sits at its path.
    await start(session, "WRITE", "write/")
    const blocked = join(outputDir(home, "write/"), OutputLayout.partName(7, 0))
    mkdirSync(blocked, { recursive: true })
    const committed = await expectCleanFailure(session, home, "WRITE", "write/")
    expect(committed.has(7)).toBe(false)
    rmSync(blocked, { recursive: true })

    // Resumed, shard 6's commit record cannot be written: the attempt fails again, its part stays
    // uncommitted. The blocked record is never readable, so it never counts; the next resume finishes.
    const commits = join(privateDir(home, "write/", "WRITE"), "commits")
    const pending = [...Array.from({ length: 8 }, (_, shard) => shard)].filter(
      (shard) => !committed.has(shard)
    )
    const victim = pending.at(-1)!
    const attempt = readdirSync(outputDir(home, "write/")).filter((f) =>
      f.startsWith(OutputLayout.partName(victim, 0).replace(/-0\.parquet$/, "-"))
    ).length
    const record = join(commits, `${String(victim).padStart(6, "0")}-${attempt}.json`)
    mkdirSync(record, { recursive: true })
    const second = await session.resumeJob("WRITE")
    expect(await second.wait({ timeoutSeconds: 60 })).toBe("FAILED")
    expect(existsSync(join(outputDir(home, "write/"), "_SUCCESS"))).toBe(false)
    const stillCommitted = await expectCleanFailure(session, home, "WRITE", "write/")
    for (const [shard, part] of committed) expect(stillCommitted.get(shard)).toBe(part)
    await expectResumedComplete(session, home, "WRITE", "write/", input, stillCommitted)
  })
})
