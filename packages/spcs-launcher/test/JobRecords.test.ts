/**
 * The job folder's records are checked on read: a whole record of this version reads, a record of
 * another version or a damaged one is refused naming the file (and the field), and a client reports it
 * as JobRecordUnreadable with what to do.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { JobRecordUnreadable, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import {
  files,
  type JobRecord,
  RECORD_VERSION,
  Records,
  readRecord,
  type StatusRecord,
  UnreadableRecord,
  writeRecord
} from "../src/JobFolder.ts"
import { failureOf, tempDir } from "./support.ts"

const jobRecord = (home: string): JobRecord => ({
  uid: "u-1",
  database: "ML",
  schema: "PUBLIC",
  name: "J",
  home,
  cwd: home,
  planLocation: "@ML.PUBLIC.RESULTS/out/_runbatch/J/plan.json",
  replicas: 2,
  replicaCommand: { command: process.execPath, args: ["replica.js"] },
  env: { A: "1" },
  cpus: 4,
  computePool: null,
  totals: { rows: 10, shards: 2 },
  outputLocation: "@ML.PUBLIC.RESULTS/out",
  owner: "someone",
  createdTime: "2026-12-07T10:00:00.000Z",
  stopGraceMillis: 1000,
  attempt: 1,
  previous: []
})

const done: StatusRecord = {
  status: "DONE",
  message: "",
  updatedTime: "2026-12-07T10:00:01.000Z",
  completedTime: "2026-12-07T10:00:01.000Z"
}

/** What reading `path` as `kind` throws. */
const refusal = (read: () => unknown): UnreadableRecord => {
  try {
    read()
  } catch (error) {
    if (error instanceof UnreadableRecord) return error
    throw error
  }
  throw new Error("the record was read")
}

describe("job folder records", () => {
  it("reads a record as written, stamped with the folder's version", () => {
    const dir = tempDir()
    const paths = files(dir)
    writeRecord(Records.job, paths.record, jobRecord(dir))
    writeRecord(Records.status, paths.status, done)
    expect(readRecord(Records.job, paths.record)).toMatchObject(jobRecord(dir))
    expect(readRecord(Records.status, paths.status)).toMatchObject(done)
    expect(readRecord(Records.cancel, paths.cancel)).toBeUndefined()
  })

  it("reads a record written before records carried a version as version 1", () => {
    const dir = tempDir()
    writeFileSync(files(dir).status, JSON.stringify(done))
    expect(readRecord(Records.status, files(dir).status)).toStrictEqual(done)
  })

  it("refuses a record that misses a field, naming the file and the field", () => {
    const dir = tempDir()
    const { uid: _, ...partial } = jobRecord(dir)
    writeFileSync(files(dir).record, JSON.stringify({ version: RECORD_VERSION, ...partial }))
    const error = refusal(() => readRecord(Records.job, files(dir).record))
    expect(error.found).toBeNull()
    expect(error.reason).toBe("uid: missing")
    expect(error.message).toBe(`${files(dir).record} is damaged: uid: missing`)
  })

  it("refuses a field of the wrong shape, naming where it is", () => {
    const dir = tempDir()
    const record = { ...jobRecord(dir), replicaCommand: { command: "node", args: ["a", 2] } }
    writeFileSync(files(dir).record, JSON.stringify(record))
    expect(refusal(() => readRecord(Records.job, files(dir).record)).reason).toBe(
      "replicaCommand.args[1]: expected a string, found 2"
    )
    writeFileSync(files(dir).status, JSON.stringify({ ...done, status: "PAUSED" }))
    expect(refusal(() => readRecord(Records.status, files(dir).status)).reason).toContain(
      'status: expected one of "PENDING"'
    )
  })

  it("refuses a record of a later version, whatever it holds", () => {
    const dir = tempDir()
    writeFileSync(files(dir).status, JSON.stringify({ ...done, version: 2 }))
    const error = refusal(() => readRecord(Records.status, files(dir).status))
    expect(error.found).toBe("2")
    expect(error.message).toBe(`${files(dir).status} is of version 2, and this runbatch reads version 1`)
  })

  it("refuses a record that is not JSON (cut short)", () => {
    const dir = tempDir()
    writeFileSync(files(dir).progress, '{"replicas": {"0": {"rows"')
    const error = refusal(() => readRecord(Records.progress, files(dir).progress))
    expect(error.found).toBeNull()
    expect(error.reason).toMatch(/^not JSON/)
  })

  it("a client reports a record of another version as JobRecordUnreadable, with the fix", async () => {
    const home = tempDir()
    const dir = LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name: "J" })
    mkdirSync(dir, { recursive: true })
    writeRecord(Records.job, files(dir).record, jobRecord(home))
    writeFileSync(files(dir).status, JSON.stringify({ ...done, version: 2, pausedBy: "someone" }))
    const error = await failureOf(home, (launcher) =>
      Effect.flatMap(launcher.getJob("J"), (job) => job.status)
    )
    expect(error).toBeInstanceOf(JobRecordUnreadable)
    expect((error as JobRecordUnreadable).message).toBe(
      `The job record ${files(dir).status} is of version 2, and this runbatch reads version 1: another runbatch version launched the job. Follow or delete it with that version.`
    )
  })
})
