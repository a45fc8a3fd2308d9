import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, it } from "@effect/vitest"
import { InvalidSpec, JobExists, JobNotFound, JobTimeout, LocalLayout } from "@runbatch/spec"
import { Effect } from "effect"
import { JobLauncher, type ListJobsOptions } from "../../src/index.ts"
import { cpuShare } from "../../src/JobSupervisor.ts"
import { processAlive } from "../../src/SupervisorLiveness.ts"
import {
  eventually,
  failureOf,
  fakeReplica,
  fakeRequest,
  logReaches,
  readJsonFile,
  root,
  run,
  withLauncher
} from "../support.ts"

// Real processes throughout: a detached supervisor per job, the fake replica command as its replicas.
let homes: string
beforeAll(() => {
  homes = mkdtempSync(join(tmpdir(), "runbatch-launcher-"))
}, 180_000)
afterAll(() => rmSync(homes, { recursive: true, force: true }))

let count = 0
const newHome = (): string => {
  const home = join(homes, `home-${++count}`)
  mkdirSync(home)
  return home
}

const jobFolder = (home: string, name: string, schema = "PUBLIC") =>
  LocalLayout.jobDir(home, { database: "ML", schema, name })

interface EnvFile {
  readonly env: Readonly<Record<string, string>>
  readonly argv: ReadonlyArray<string>
  readonly pid: number
  readonly cwd: string
}
interface MonitorFile {
  /** The protocol's version (spec's ReplicaStatus). */
  readonly version: number
  readonly replica: number
  readonly state: string
  readonly code: number | null
  readonly signal: string | null
}

const resultsStage = (home: string) =>
  LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" })

/** What the coordinator writes last: the manifest (naming the job that wrote it), then `_SUCCESS`. */
const finishOutput = (output: string, job: string) => {
  mkdirSync(output, { recursive: true })
  writeFileSync(join(output, "_manifest.json"), JSON.stringify({ job_info: { job } }))
  writeFileSync(join(output, "_SUCCESS"), "")
}

const envOf = (dir: string, replica: number) =>
  eventually(() => readJsonFile<EnvFile>(join(dir, `env-${replica}.json`)))
const monitorOf = (home: string, name: string, replica: number) =>
  readJsonFile<MonitorFile>(join(jobFolder(home, name), "monitor", `replica-${replica}.json`))

describe.concurrent("the local launcher", () => {
  it("runs two replicas to DONE with the SPCS environment and CPU shares", async ({ expect }) => {
    const home = newHome()
    const envDir = mkdtempSync(join(homes, "env-"))
    const job = await withLauncher(home, (l) =>
      l.launch(
        fakeRequest(
          "TWO_REPLICAS",
          2,
          { FAKE_ENV_DIR: envDir, EXTRA_SETTING: "on" },
          {
            cpus: 5,
            computePool: "POOL_1",
            totals: { rows: 200, shards: 8 }
          }
        )
      )
    )
    expect(job.id).toBe("ML.PUBLIC.TWO_REPLICAS")
    expect(job.targetInstances).toBe(2)
    expect(["PENDING", "RUNNING"]).toContain(await run(job.status))
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("DONE")
    expect(await run(job.status)).toBe("DONE")

    const folder = jobFolder(home, "TWO_REPLICAS")
    for (const replica of [0, 1]) {
      const seen = await envOf(envDir, replica)
      expect(seen.env).toMatchObject({
        SNOWFLAKE_JOB_INDEX: String(replica),
        SNOWFLAKE_JOBS_COUNT: "2",
        SNOWFLAKE_SERVICE_NAME: "TWO_REPLICAS",
        SNOWFLAKE_DATABASE: "ML",
        SNOWFLAKE_SCHEMA: "PUBLIC",
        RUNBATCH_PLAN: "@ML.PUBLIC.RESULTS/out/_runbatch/TWO_REPLICAS/plan.json",
        RUNBATCH_HOME: home,
        RUNBATCH_CPUS: "2",
        RUNBATCH_MONITOR_DIR: join(folder, "monitor"),
        EXTRA_SETTING: "on"
      })
      expect(seen.cwd).toBe(process.cwd())
      expect(monitorOf(home, "TWO_REPLICAS", replica)).toEqual({
        version: 1,
        replica,
        state: "exited",
        code: 0,
        signal: null
      })
    }
    expect(await run(job.progress)).toEqual({
      rows: 200,
      // The fake replicas' lines carry no resumedRows (as lines of earlier builds): 0.
      resumedRows: 0,
      totalRows: 200,
      shardsDone: 8,
      shards: 8,
      rowsPerSecond: 2000,
      errors: 0,
      etaSeconds: 0,
      metrics: {}
    })
    const row = await run(job.describe)
    expect(row).toMatchObject({
      name: "TWO_REPLICAS",
      status: "DONE",
      message: "",
      databaseName: "ML",
      schemaName: "PUBLIC",
      computePool: "POOL_1",
      targetInstances: 2
    })
    expect(row.owner).not.toBe("")
    expect(row.completedTime!.getTime()).toBeGreaterThanOrEqual(row.createdTime.getTime())
  })

  it("gives each replica floor(cpus / replicas) CPUs, at least one", ({ expect }) => {
    expect(cpuShare(5, 2)).toBe(2)
    expect(cpuShare(8, 4)).toBe(2)
    expect(cpuShare(1, 3)).toBe(1)
  })

  it("fails the job when a replica fails, with its error and log tail, and stops the others", async ({
    expect
  }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) =>
      l.launch(fakeRequest("ONE_FAILS", 2, { FAKE_MODE_0: "hang", FAKE_MODE_1: "fail" }))
    )
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("FAILED")
    const { message } = await run(job.describe)
    expect(message).toContain(
      "Replica 1 of 2 exited with code 1. RowFailed: Row 7 of shard 1 failed: the model refused it."
    )
    expect(message).toContain("Last lines of its log (getLogs({ instance: 1 })):")
    expect(message).toContain("  [info] Starting inference.")
    expect(message).toContain("  replica 1 says hello on stderr")
    // The hanging replica was stopped, not waited for.
    expect(monitorOf(home, "ONE_FAILS", 0)).toMatchObject({ state: "exited", signal: "SIGTERM" })
  })

  it("fails the job when a replica is killed with kill -9, without hanging", async ({ expect }) => {
    const home = newHome()
    const envDir = mkdtempSync(join(homes, "env-"))
    const job = await withLauncher(home, (l) =>
      l.launch(fakeRequest("KILLED", 2, { FAKE_MODE: "hang", FAKE_ENV_DIR: envDir }))
    )
    await logReaches(job, "hanging", 0)
    await logReaches(job, "hanging", 1)
    process.kill((await envOf(envDir, 1)).pid, "SIGKILL")
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("FAILED")
    expect((await run(job.describe)).message).toMatch(/^Replica 1 of 2 was killed by SIGKILL\./)
    expect(monitorOf(home, "KILLED", 1)).toEqual({
      version: 1,
      replica: 1,
      state: "exited",
      code: null,
      signal: "SIGKILL"
    })
    expect(processAlive((await envOf(envDir, 0)).pid)).toBe(false)
  })

  it("kills a replica that ignores SIGTERM once the grace period is over", async ({ expect }) => {
    const home = newHome()
    const envDir = mkdtempSync(join(homes, "env-"))
    const job = await withLauncher(
      home,
      (l) =>
        l.launch(
          fakeRequest("STUBBORN", 2, { FAKE_MODE: "hang", FAKE_IGNORE_SIGTERM: "1", FAKE_ENV_DIR: envDir })
        ),
      { stopGraceSeconds: 0.5 }
    )
    await logReaches(job, "hanging", 0)
    await logReaches(job, "hanging", 1)
    process.kill((await envOf(envDir, 1)).pid, "SIGKILL")
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("FAILED")
    expect((await run(job.describe)).message).toMatch(/^Replica 1 of 2 was killed by SIGKILL\./)
    expect(monitorOf(home, "STUBBORN", 0)).toMatchObject({ state: "exited", signal: "SIGKILL" })
    expect(await run(job.getLogs())).toContain("SIGTERM ignored")
  })

  it("fails the job of a replica that kills itself", async ({ expect }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("CRASHED", 1, { FAKE_MODE: "crash" })))
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("FAILED")
    expect((await run(job.describe)).message).toMatch(/^Replica 0 of 1 was killed by SIGKILL\.\nLast lines/)
  })

  it("cancels a running job: CANCELLING, then CANCELLED, every replica stopped", async ({ expect }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("CANCEL_ME", 2, { FAKE_MODE: "hang" })))
    await logReaches(job, "hanging", 0)
    await logReaches(job, "hanging", 1)
    await run(job.cancel)
    expect(["CANCELLING", "CANCELLED"]).toContain(await run(job.status))
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("CANCELLED")
    expect((await run(job.describe)).message).toBe("Cancelled by request.")
    for (const replica of [0, 1])
      expect(monitorOf(home, "CANCEL_ME", replica)).toMatchObject({ state: "exited", signal: "SIGTERM" })
    await run(job.cancel) // a finished job: nothing happens
    expect(await run(job.status)).toBe("CANCELLED")
  })

  it("reports FAILED on the next status read when the supervisor was killed, and stops its replicas", async ({
    expect
  }) => {
    const home = newHome()
    const envDir = mkdtempSync(join(homes, "env-"))
    const job = await withLauncher(home, (l) =>
      l.launch(fakeRequest("ORPHANED", 2, { FAKE_MODE: "hang", FAKE_ENV_DIR: envDir }))
    )
    // Both replicas must be running (their env files written) before the supervisor dies.
    await logReaches(job, "hanging", 0)
    await logReaches(job, "hanging", 1)
    const supervisor = readJsonFile<{ pid: number }>(join(jobFolder(home, "ORPHANED"), "supervisor.json"))!
    process.kill(supervisor.pid, "SIGKILL")
    await eventually(() => (processAlive(supervisor.pid) ? undefined : true))
    expect(await run(job.status)).toBe("FAILED")
    expect((await run(job.describe)).message).toContain(
      `The supervisor stopped before the job finished: its process ${supervisor.pid} is gone`
    )
    const replicas = await Promise.all([0, 1].map((i) => envOf(envDir, i)))
    await eventually(() => (replicas.some((r) => processAlive(r.pid)) ? undefined : true))
    expect(await run(job.wait({ timeoutSeconds: 1 }))).toBe("FAILED")
  })

  it("reports DONE when the supervisor was killed after the output was finished (its _SUCCESS written)", async ({
    expect
  }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) =>
      l.launch(
        fakeRequest("FINISHED", 1, { FAKE_MODE: "hang" }, { outputLocation: "@ML.PUBLIC.RESULTS/out/" })
      )
    )
    await logReaches(job, "hanging", 0)
    // The coordinator finished the output; the supervisor dies before recording DONE.
    const output = join(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      "out"
    )
    finishOutput(output, "ML.PUBLIC.FINISHED")
    const supervisor = readJsonFile<{ pid: number }>(join(jobFolder(home, "FINISHED"), "supervisor.json"))!
    process.kill(supervisor.pid, "SIGKILL")
    await eventually(() => (processAlive(supervisor.pid) ? undefined : true))
    expect(await run(job.status)).toBe("DONE")
    expect((await run(job.describe)).message).toBe(
      "The job finished; its supervisor stopped before recording it."
    )
  })

  it("reports DONE when replica 0 was killed after writing _SUCCESS, when the manifest is the job's own", async ({
    expect
  }) => {
    const home = newHome()
    const envDir = mkdtempSync(join(homes, "env-"))
    const output = join(resultsStage(home), "late")
    const launch = (name: string) =>
      withLauncher(home, (l) =>
        l.launch(
          fakeRequest(
            name,
            1,
            { FAKE_MODE: "hang", FAKE_ENV_DIR: join(envDir, name) },
            { outputLocation: `@ML.PUBLIC.RESULTS/late/${name}/` }
          )
        )
      )
    // The coordinator wrote the manifest and _SUCCESS, then its replica died before removing the job's
    // working files: the supervisor records FAILED, the output is complete.
    for (const [name, writer] of [
      ["LATE", "ML.PUBLIC.LATE"],
      ["OTHER", "ML.PUBLIC.SOMEONE_ELSE"]
    ] as const) {
      mkdirSync(join(envDir, name))
      const job = await launch(name)
      await logReaches(job, "hanging", 0)
      finishOutput(join(output, name), writer)
      process.kill((await envOf(join(envDir, name), 0)).pid, "SIGKILL")
      const status = await run(job.wait({ timeoutSeconds: 30 }))
      expect(readJsonFile<{ status: string }>(join(jobFolder(home, name), "status.json"))?.status).toBe(
        "FAILED"
      )
      if (name === "LATE") {
        expect(status).toBe("DONE")
        expect((await run(job.describe)).message).toMatch(
          /^The job finished: its output is complete \(_SUCCESS written\), though it was recorded FAILED: Replica 0 of 1 was killed by SIGKILL/
        )
      } else expect(status).toBe("FAILED")
    }
  })

  it("fails the job when its supervisor is stopped with SIGTERM, stopping the replicas first", async ({
    expect
  }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("SHUTDOWN", 2, { FAKE_MODE: "hang" })))
    await logReaches(job, "hanging", 0)
    await logReaches(job, "hanging", 1)
    const supervisor = readJsonFile<{ pid: number }>(join(jobFolder(home, "SHUTDOWN"), "supervisor.json"))!
    process.kill(supervisor.pid, "SIGTERM")
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("FAILED")
    expect((await run(job.describe)).message).toBe(
      "The supervisor was stopped by SIGTERM before the job finished; its replicas were stopped."
    )
    for (const replica of [0, 1])
      expect(monitorOf(home, "SHUTDOWN", replica)).toMatchObject({ state: "exited", signal: "SIGTERM" })
  })

  it("reports FAILED when the supervisor stops sending heartbeats, and the supervisor then gives up", async ({
    expect
  }) => {
    const home = newHome()
    const options = { heartbeatTimeoutSeconds: 3 }
    const job = await withLauncher(
      home,
      (l) => l.launch(fakeRequest("FROZEN", 1, { FAKE_MODE: "hang" })),
      options
    )
    await logReaches(job, "hanging")
    const supervisor = readJsonFile<{ pid: number }>(join(jobFolder(home, "FROZEN"), "supervisor.json"))!
    process.kill(supervisor.pid, "SIGSTOP")
    try {
      const status = await eventually(async () => {
        const s = await withLauncher(
          home,
          (l) => Effect.flatMap(l.getJob("FROZEN"), (j) => j.status),
          options
        )
        return s === "FAILED" ? s : undefined
      })
      expect(status).toBe("FAILED")
      expect(
        (await withLauncher(home, (l) => Effect.flatMap(l.getJob("FROZEN"), (j) => j.describe))).message
      ).toContain("it has not sent a heartbeat for")
    } finally {
      process.kill(supervisor.pid, "SIGCONT")
    }
    // Woken up, it finds the job ended elsewhere: it stops its replica and exits.
    await eventually(() => (processAlive(supervisor.pid) ? undefined : true))
    expect(monitorOf(home, "FROZEN", 0)).toMatchObject({ state: "exited", signal: "SIGTERM" })
  })

  it("keeps running after the client that launched it exits", async ({ expect }) => {
    const home = newHome()
    const client = join(root, "packages/spcs-launcher/test/fixtures/launch-and-exit.mjs")
    const id = execFileSync(process.execPath, [client, home, "DETACHED", process.execPath, fakeReplica], {
      encoding: "utf8"
    }).trim()
    const clientExited = Date.now()
    expect(id).toBe("ML.PUBLIC.DETACHED")
    const job = await withLauncher(home, (l) => l.getJob(id))
    expect(["PENDING", "RUNNING"]).toContain(await run(job.status))
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("DONE")
    expect((await run(job.progress)).rows).toBe(200)
    expect((await run(job.describe)).completedTime!.getTime()).toBeGreaterThan(clientExited)
  })

  it("fails wait with JobTimeout when the job outlasts it", async ({ expect }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("SLOW", 1, { FAKE_MODE: "hang" })))
    const error = await run(Effect.flip(job.wait({ timeoutSeconds: 0.3 })))
    expect(error).toBeInstanceOf(JobTimeout)
    expect(error.message).toMatch(
      /^Job ML\.PUBLIC\.SLOW did not complete within 0\.3 seconds \(it is (PENDING|RUNNING)\)/
    )
    await run(job.cancel)
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("CANCELLED")
  })

  it("returns each replica's log, or its last lines", async ({ expect }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("LOGS", 2, { FAKE_LOG_LINES: "5" })))
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("DONE")
    const head = await run(job.getLogs())
    expect(head).toContain('"message":"Starting inference."')
    expect(head).toContain("replica 0 says hello on stderr")
    expect(head).not.toContain("replica 1 says")
    const all = await run(job.getLogs({ instance: 1, asList: true }))
    expect(all.length).toBe(1 + 1 + 5 + 4 + 2) // start, stderr, log lines, progress, finished + done
    const last = await run(job.getLogs({ instance: 1, limit: 2, asList: true }))
    expect(last).toEqual(all.slice(-2))
    // stdout and stderr are two pipes: their lines interleave as they arrive, so only stdout's own
    // order is certain (its last line is the done line).
    expect(JSON.parse(all.filter((l) => l.startsWith("{")).at(-1)!)).toMatchObject({
      type: "done",
      replica: 1
    })
    expect(await run(job.getLogs({ instance: 1, limit: 2 }))).toBe(last.join("\n"))
    expect(await run(job.getLogs({ limit: 0, asList: true }))).toEqual([])
    const error = await run(Effect.flip(job.getLogs({ instance: 2 })))
    expect(error).toBeInstanceOf(InvalidSpec)
    expect(error.message).toContain("instance: must be a replica index from 0 to 1")
  })

  it("lists jobs newest first, filtered by database and schema, up to a limit", async ({ expect }) => {
    const home = newHome()
    const names = [
      { database: "ML", schema: "PUBLIC", name: "FIRST" },
      { database: "ML", schema: "PUBLIC", name: "SECOND" },
      { database: "ML", schema: "OTHER", name: "THIRD" },
      { database: "DEV", schema: "PUBLIC", name: "FOURTH" },
      { database: "ML", schema: "PUBLIC", name: "FIFTH" }
    ]
    for (const job of names) {
      await withLauncher(home, (l) =>
        l.launch({
          ...fakeRequest(job.name, 1, { FAKE_STEPS: "1" }),
          job,
          computePool: `${job.database}_POOL`
        })
      )
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const list = (options?: ListJobsOptions) => withLauncher(home, (l) => l.listJobs(options))
    expect((await list()).map((r) => r.name)).toEqual(["FIFTH", "FOURTH", "THIRD", "SECOND", "FIRST"])
    expect((await list({ limit: 2 })).map((r) => r.name)).toEqual(["FIFTH", "FOURTH"])
    expect((await list({ database: "ml" })).map((r) => r.name)).toEqual(["FIFTH", "THIRD", "SECOND", "FIRST"])
    expect((await list({ database: "ML", schema: "public" })).map((r) => r.name)).toEqual([
      "FIFTH",
      "SECOND",
      "FIRST"
    ])
    expect((await list({ schema: "OTHER" })).map((r) => [r.databaseName, r.schemaName, r.name])).toEqual([
      ["ML", "OTHER", "THIRD"]
    ])
    expect((await list({ limit: -1, database: "nowhere" })).length).toBe(0)
    const [fourth] = await list({ database: "DEV" })
    expect(fourth).toMatchObject({ computePool: "DEV_POOL", targetInstances: 1, databaseName: "DEV" })
    expect(["PENDING", "RUNNING", "DONE"]).toContain(fourth!.status)
    // Leave nothing running.
    for (const job of names)
      await withLauncher(home, (l) =>
        Effect.flatMap(l.getJob(`${job.database}.${job.schema}.${job.name}`), (j) =>
          j.wait({ timeoutSeconds: 30 })
        )
      )
    expect((await list()).every((r) => r.status === "DONE" && r.completedTime !== null)).toBe(true)
    // listJobs(limit = 10) is the default, as the original.
    expect((await list({})).length).toBe(5)
  })

  it("finds jobs by qualified or current-schema names, and names close ones for an unknown name", async ({
    expect
  }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) => l.launch(fakeRequest("NIGHTLY", 1, { FAKE_STEPS: "1" })))
    for (const id of ["NIGHTLY", "nightly", "public.nightly", "ML.PUBLIC.NIGHTLY"]) {
      const found = await withLauncher(home, (l) => l.getJob(id))
      expect(found.id).toBe(job.id)
    }
    const missing = await failureOf(home, (l) => l.getJob("NIGTHLY"))
    expect(missing).toBeInstanceOf(JobNotFound)
    expect(missing.message).toBe(
      "Job ML.PUBLIC.NIGTHLY does not exist or not authorized. Did you mean ML.PUBLIC.NIGHTLY? List the jobs of a schema with listJobs; a deleted job is gone for good."
    )
    const elsewhere = await failureOf(home, (l) => l.getJob("ML.STAGING.NIGHTLY"))
    expect(elsewhere).toMatchObject({ _tag: "JobNotFound", closest: ["ML.PUBLIC.NIGHTLY"] })
    expect((await failureOf(home, (l) => l.getJob("a.b.c.d")))._tag).toBe("InvalidIdentifier")
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("DONE")
  })

  it("deletes a running job: stopped, gone, its name free again", async ({ expect }) => {
    const home = newHome()
    const envDir = mkdtempSync(join(homes, "env-"))
    const job = await withLauncher(home, (l) =>
      l.launch(fakeRequest("DOOMED", 2, { FAKE_MODE: "hang", FAKE_ENV_DIR: envDir }))
    )
    await logReaches(job, "hanging", 0)
    await logReaches(job, "hanging", 1)
    await withLauncher(home, (l) => l.deleteJob("ML.PUBLIC.DOOMED"))
    expect(await run(job.status)).toBe("DELETED")
    const error = await run(Effect.flip(job.wait({ timeoutSeconds: 5 })))
    expect(error).toBeInstanceOf(JobNotFound)
    expect(error.message).toContain("Job ML.PUBLIC.DOOMED does not exist or not authorized.")
    expect(existsSync(jobFolder(home, "DOOMED"))).toBe(false)
    for (const replica of [0, 1]) expect(processAlive((await envOf(envDir, replica)).pid)).toBe(false)
    expect(await withLauncher(home, (l) => l.listJobs())).toEqual([])
    expect((await failureOf(home, (l) => l.deleteJob("DOOMED")))._tag).toBe("JobNotFound")

    // The name can be used again; the old handle does not mistake the new job for its own.
    const again = await withLauncher(home, (l) => l.launch(fakeRequest("DOOMED", 1, { FAKE_STEPS: "1" })))
    expect(await run(again.wait({ timeoutSeconds: 30 }))).toBe("DONE")
    expect(await run(job.status)).toBe("DELETED")
    expect((await failureOf(home, (l) => l.deleteJob(job)))._tag).toBe("JobNotFound")
    await withLauncher(home, (l) => l.deleteJob(again))
    expect(await run(again.status)).toBe("DELETED")
  })

  it("refuses a job name already in use", async ({ expect }) => {
    const home = newHome()
    const first = await withLauncher(home, (l) => l.launch(fakeRequest("TAKEN", 1, { FAKE_STEPS: "1" })))
    const error = await failureOf(home, (l) => l.launch(fakeRequest("TAKEN", 1)))
    expect(error).toBeInstanceOf(JobExists)
    expect(error.message).toContain("A job named ML.PUBLIC.TAKEN already exists.")
    expect(await run(first.wait({ timeoutSeconds: 30 }))).toBe("DONE")
    expect((await withLauncher(home, (l) => l.listJobs())).length).toBe(1)
  })

  it("ends INTERNAL_ERROR when the replica command cannot be started", async ({ expect }) => {
    const home = newHome()
    const job = await withLauncher(home, (l) =>
      l.launch({
        ...fakeRequest("NO_COMMAND", 2),
        replicaCommand: { command: "/nonexistent/replica", args: [] }
      })
    )
    expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("INTERNAL_ERROR")
    expect((await run(job.describe)).message).toMatch(
      /^Replica 0 of 2 could not be started: spawn \/nonexistent\/replica ENOENT/
    )
  })

  it("refuses a malformed request before recording anything", async ({ expect }) => {
    const home = newHome()
    const error = await failureOf(home, (l) =>
      l.launch({ ...fakeRequest("BAD", 0), cpus: 0, replicaCommand: { command: "", args: [] } })
    )
    expect(error).toBeInstanceOf(InvalidSpec)
    expect(error.message).toContain("replicas: must be a whole number of at least 1, not 0")
    expect(error.message).toContain("cpus: must be a whole number of at least 1, not 0")
    expect(error.message).toContain("replicaCommand.command: must name the command to run")
    const location = await failureOf(home, (l) =>
      l.launch({ ...fakeRequest("BAD", 1), planLocation: "plan.json" })
    )
    expect(location._tag).toBe("InvalidStageLocation")
    expect(existsSync(join(home, "jobs"))).toBe(false)
  })
})

describe("local options", () => {
  it("default to RUNBATCH_HOME's jobs folder", async ({ expect }) => {
    const home = newHome()
    const previous = process.env["RUNBATCH_HOME"]
    process.env["RUNBATCH_HOME"] = home
    try {
      const job = await Effect.runPromise(
        JobLauncher.use((l) => l.launch(fakeRequest("AT_HOME", 1, { FAKE_STEPS: "1" }))).pipe(
          Effect.provide(JobLauncher.layerLocal())
        )
      )
      expect(await run(job.wait({ timeoutSeconds: 30 }))).toBe("DONE")
      expect(readJsonFile<{ home: string }>(join(jobFolder(home, "AT_HOME"), "job.json"))?.home).toBe(home)
    } finally {
      if (previous === undefined) delete process.env["RUNBATCH_HOME"]
      else process.env["RUNBATCH_HOME"] = previous
    }
  })
})
