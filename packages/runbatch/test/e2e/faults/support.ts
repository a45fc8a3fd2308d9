/**
 * The fault suite's checks. A fault must end its job FAILED cleanly — no `_SUCCESS`, the results
 * reader refusing the folder, every shard committed before the fault still committed — and resuming
 * must finish it with output equal to an uninterrupted run: one row per input row, passthrough
 * columns equal to the input, the model's outputs right, and the parts committed before the fault
 * being the ones that count.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { LocalLayout } from "@runbatch/spec"
import { OutputLayout, ParquetCodec } from "@runbatch/stage-io"
import { TestEngine } from "@runbatch/testkit"
import { expect } from "vitest"
import type { Session } from "../../../src/index.ts"
import { jobDir, LINEAR_BIAS, LINEAR_WEIGHTS, type LinearRow, linearColumns } from "../../support.ts"

export type { LinearRow as InputRow } from "../../support.ts"
export {
  linearColumns as columns,
  linearRows as rows,
  logLinear,
  replicaPid,
  until
} from "../../support.ts"

const RESULTS = { database: "ML", schema: "PUBLIC", stage: "RESULTS" }

/** The local folder behind `@ML.PUBLIC.RESULTS/<path>`. */
export const outputDir = (home: string, path: string): string =>
  join(LocalLayout.stageDir(home, RESULTS), path)

/**
 * The fault suite's job: `input` as a data frame through the linear model, two replicas of one
 * worker, 8 shards, batches of 75 rows, into `@ML.PUBLIC.RESULTS/<path>`.
 */
export const startJob = (session: Session, job: string, path: string, input: ReadonlyArray<LinearRow>) =>
  session.runBatch({
    model: "LINEAR",
    input: session.createDataFrame(input, linearColumns),
    outputSpec: { stageLocation: `@ML.PUBLIC.RESULTS/${path}` },
    jobSpec: { jobName: job, replicas: 2, numWorkers: 1, maxBatchRows: 75 },
    plugins: [TestEngine.packageDir],
    cpus: 2
  })

/** The supervisor's pid. */
export const supervisorPid = (home: string, job: string): number | undefined => {
  try {
    return (JSON.parse(readFileSync(join(jobDir(home, job), "supervisor.json"), "utf8")) as { pid: number })
      .pid
  } catch {
    return undefined
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The shards with a readable commit record, and the part that counts for each (lowest attempt). */
export const committedParts = (home: string, path: string, job: string): Map<number, string> => {
  const commits = join(
    outputDir(home, path),
    OutputLayout.RESERVED,
    OutputLayout.jobFolder(`ML.PUBLIC.${job}`),
    "commits"
  )
  const parts = new Map<number, { attempt: number; name: string }>()
  if (!existsSync(commits)) return new Map()
  for (const name of readdirSync(commits)) {
    const parsed = OutputLayout.parseCommitRecordName(name)
    if (parsed === undefined) continue
    let record: { part?: { name?: string } }
    try {
      record = JSON.parse(readFileSync(join(commits, name), "utf8")) as typeof record
    } catch {
      continue // Unreadable (a crash mid-write): it does not count.
    }
    const known = parts.get(parsed.shard)
    if (record.part?.name !== undefined && (known === undefined || parsed.attempt < known.attempt)) {
      parts.set(parsed.shard, { attempt: parsed.attempt, name: record.part.name })
    }
  }
  return new Map([...parts].map(([shard, p]) => [shard, p.name]))
}

/** The job ended FAILED, cleanly; returns the parts committed before the fault. */
export const expectCleanFailure = async (
  session: Session,
  home: string,
  job: string,
  path: string
): Promise<Map<number, string>> => {
  const handle = await session.jobs.getJob(job)
  expect(await handle.wait({ timeoutSeconds: 60 })).toBe("FAILED")
  expect(existsSync(join(outputDir(home, path), "_SUCCESS"))).toBe(false)
  await expect(session.readResults(`@ML.PUBLIC.RESULTS/${path}`)).rejects.toMatchObject({
    _tag: expect.stringMatching(/^Results(Incomplete|Corrupt)$/)
  })
  return committedParts(home, path, job)
}

/** Resume the job; it ends DONE with output equal to an uninterrupted run's. */
export const expectResumedComplete = async (
  session: Session,
  home: string,
  job: string,
  path: string,
  input: ReadonlyArray<LinearRow>,
  committedBefore: ReadonlyMap<number, string>
) => {
  const resumed = await session.resumeJob(job)
  expect(await resumed.wait({ timeoutSeconds: 90 })).toBe("DONE")
  expectComplete(home, path, input, committedBefore)
  await expectRowsEqualInput(session, path, input)
}

/** The manifest lists one part per shard, and the parts committed before the fault among them. */
export const expectComplete = (
  home: string,
  path: string,
  input: ReadonlyArray<LinearRow>,
  committedBefore: ReadonlyMap<number, string>
) => {
  const manifest = JSON.parse(readFileSync(join(outputDir(home, path), "_manifest.json"), "utf8")) as {
    rows: number
    parts: ReadonlyArray<{ name: string; shard: number }>
  }
  expect(manifest.rows).toBe(input.length)
  const shards = manifest.parts.map((p) => p.shard)
  expect(new Set(shards).size).toBe(shards.length)
  const listed = new Set(manifest.parts.map((p) => p.name))
  for (const [, name] of committedBefore) expect(listed.has(name)).toBe(true)
  // Nothing but the listed parts is left in the folder.
  const files = readdirSync(outputDir(home, path)).filter((f) => f !== OutputLayout.RESERVED)
  expect(files.sort()).toEqual([...listed, "_SUCCESS", "_manifest.json"].sort())
}

export const expectRowsEqualInput = async (
  session: Session,
  path: string,
  input: ReadonlyArray<LinearRow>
) => {
  const table = await session.readResults(`@ML.PUBLIC.RESULTS/${path}`)
  expect(table.numRows).toBe(input.length)
  const ids = table.getChild("ID")!.toArray() as BigInt64Array
  const xs = table.getChild("X")!.toArray() as Float64Array
  const zs = table.getChild("Z")!.toArray() as Float64Array
  const ys = table.getChild("y")!
  const seen = new Uint8Array(input.length)
  for (let i = 0; i < table.numRows; i++) {
    const id = Number(ids[i])
    seen[id]! += 1
    const row = input[id]!
    if (xs[i] !== row.X || zs[i] !== row.Z)
      expect({ id, x: xs[i], z: zs[i] }).toEqual({ id, x: row.X, z: row.Z })
    const y = ys.get(i) as number
    const want = LINEAR_WEIGHTS[0] * row.X + LINEAR_WEIGHTS[1] * row.Z + LINEAR_BIAS
    if (Math.abs(y - want) > 1e-9) expect({ id, y }).toEqual({ id, y: want })
  }
  expect(seen.every((n) => n === 1)).toBe(true)
}

/**
 * Change one value of a parquet file in place, as a stray write or a bad disk would: the first single
 * bit, from the start of its data pages, whose flip leaves the file the same size and still readable
 * (footer, page headers and compression intact) with the same number of rows but other values. Returns
 * the original bytes.
 */
export const changeOneValueInPlace = (path: string): Buffer => {
  const original = readFileSync(path)
  const values = (bytes: Uint8Array) => {
    const table = ParquetCodec.decode(bytes)
    return { rows: table.numRows, text: JSON.stringify(table.toArray(), (_, v) => String(v)) }
  }
  const before = values(original)
  const dataEnd = original.length - 8 - original.readUInt32LE(original.length - 8)
  for (let offset = 4; offset < dataEnd; offset++) {
    const changed = Buffer.from(original)
    changed[offset]! ^= 0x01
    let after: ReturnType<typeof values>
    try {
      after = values(changed)
    } catch {
      continue // This flip breaks the page: not the silent change wanted.
    }
    if (after.rows === before.rows && after.text !== before.text) {
      writeFileSync(path, changed)
      return original
    }
  }
  throw new Error(`no single-bit change of ${path} keeps it readable`)
}

/** A small seeded generator, so a failing trial can be replayed (RUNBATCH_FAULT_SEED). */
export const seededRandom = (seed: number) => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const faultSeed = (): number => {
  const set = Number(process.env["RUNBATCH_FAULT_SEED"])
  return Number.isInteger(set) ? set : Math.floor(Math.random() * 2 ** 31)
}

export const faultTrials = (fallback: number): number => {
  const set = Number(process.env["RUNBATCH_FAULT_TRIALS"])
  return Number.isInteger(set) && set > 0 ? set : fallback
}
