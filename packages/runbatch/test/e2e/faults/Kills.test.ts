/**
 * kill -9 at random points: of a replica (as the OOM killer does), and of the job's supervisor (as a
 * crashing machine agent would). Every trial ends FAILED cleanly — or DONE, when the job finished
 * before the blow — and resuming finishes it with output equal to an uninterrupted run. The seed is
 * printed; RUNBATCH_FAULT_SEED replays a run and RUNBATCH_FAULT_TRIALS runs more trials.
 */
import { describe, expect, it } from "@effect/vitest"
import { localSession, tempHome } from "../../support.ts"
import {
  expectCleanFailure,
  expectComplete,
  expectResumedComplete,
  expectRowsEqualInput,
  faultSeed,
  faultTrials,
  logLinear,
  replicaPid,
  rows,
  seededRandom,
  sleep,
  startJob,
  supervisorPid,
  until
} from "./support.ts"

const seed = faultSeed()
const random = seededRandom(seed)
const input = rows(3000)

/** Kill `pid` at a random moment of the job's life; says whether the job was still running. */
const killSomewhere = async (pid: () => number | undefined, running: () => Promise<boolean>) => {
  await until(() => pid() !== undefined, "the process to start")
  await sleep(Math.floor(random() * 900))
  if (!(await running())) return false
  try {
    process.kill(pid()!, "SIGKILL")
  } catch {
    return false // It had already exited.
  }
  return true
}

/** One line per kind, for docs/reliability.md: trials, blows landed mid-job, jobs failed and resumed. */
const report = (kind: string, results: ReadonlyArray<{ killed: boolean; failed: boolean }>) =>
  console.info(
    `fault-suite kill -9 ${kind}: seed ${seed}, ${results.length} trials, ${results.filter((r) => r.killed).length} kills landed, ${results.filter((r) => r.failed).length} FAILED and resumed to DONE`
  )

describe(`kill -9 at random points (seed ${seed})`, () => {
  const trial = async (kind: "replica" | "supervisor", index: number) => {
    const home = tempHome()
    const session = localSession(home)
    // 8 shards of 375 rows, batches of 75 taking 30 ms: about a second of work over two replicas.
    await logLinear(session, { delayMillis: 30 })
    const job = `${kind.toUpperCase()}_${index}`
    const path = `${kind}-${index}/`
    const handle = await startJob(session, job, path, input)
    const target = Math.floor(random() * 2)
    const running = async () => !["DONE", "FAILED"].includes(await handle.status())
    const killed = await killSomewhere(
      () => (kind === "replica" ? replicaPid(home, job, target) : supervisorPid(home, job)),
      running
    )
    const status = await handle.wait({ timeoutSeconds: 60 })
    if (status === "DONE") {
      // The blow came too late (or hit a replica that had finished): the job is complete as it is.
      expectComplete(home, path, input, new Map())
      await expectRowsEqualInput(session, path, input)
      return { killed, failed: false }
    }
    expect(status).toBe("FAILED")
    const message = (await handle.describe()).message
    expect(message).toMatch(kind === "replica" ? /[Rr]eplica \d.*(SIGKILL|signal)/ : /supervisor stopped/)
    const committed = await expectCleanFailure(session, home, job, path)
    await expectResumedComplete(session, home, job, path, input, committed)
    return { killed, failed: true }
  }

  it("of a replica: each trial FAILED cleanly, then resumed to exactly the input's rows", async () => {
    const results = []
    for (let i = 0; i < faultTrials(4); i++) results.push(await trial("replica", i))
    report("replica", results)
    // Most blows land mid-job; the suite is useless if none does.
    expect(results.filter((r) => r.failed).length).toBeGreaterThan(0)
  }, 240_000)

  it("of the supervisor: its replicas stop with it, the job reads FAILED, and resumes to completion", async () => {
    const results = []
    for (let i = 0; i < faultTrials(3); i++) results.push(await trial("supervisor", i))
    report("supervisor", results)
    expect(results.filter((r) => r.failed).length).toBeGreaterThan(0)
  }, 240_000)
})
