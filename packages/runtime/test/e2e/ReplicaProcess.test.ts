import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { cpSync, existsSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, StageLocation } from "@runbatch/spec"
import { ResultsReader, StageStore } from "@runbatch/stage-io"
import { BuildStamp, OnnxReference, TestEngine } from "@runbatch/testkit"
import { Cause, Effect, Exit } from "effect"
import { ReplicaCommand, ReplicaMonitor } from "../../src/index.ts"
import { gbdtJob, results, runInProcess, stage, tempHome } from "../support.ts"

// Replicas as real processes: the runbatch-replica command as a launcher starts it (from the current
// sources under test). The test plays the supervisor: it writes each replica's status file.
const replicaCommand = ReplicaCommand.command()
const root = fileURLToPath(new URL("../../../..", import.meta.url))

const signature = TestEngine.signature
const columns = TestEngine.columns
const rows = Array.from({ length: 2000 }, (_, i) => ({ ID: i, X: i, Z: 1 }))

interface Started {
  readonly child: ChildProcess
  readonly lines: Array<Record<string, unknown>>
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
}

/** Start replica `replica` of `replicas` as a process, reporting its status in `monitor`. */
const startReplica = (
  home: string,
  plan: string,
  replica: number,
  replicas: number,
  monitor: string,
  cwd?: string,
  placed = true,
  env: Readonly<Record<string, string>> = {}
): Started => {
  // Replaced whole, as the supervisor does: a half-written status file reads as damaged.
  const status = (state: string, extra: object = {}) => {
    const file = join(monitor, `replica-${replica}.json`)
    writeFileSync(`${file}.tmp`, JSON.stringify({ replica, state, ...extra }))
    renameSync(`${file}.tmp`, file)
  }
  status("running")
  const child = spawn(replicaCommand.command, [...replicaCommand.args, "--plan", plan], {
    env: {
      ...process.env,
      RUNBATCH_HOME: home,
      RUNBATCH_MONITOR_DIR: monitor,
      RUNBATCH_CPUS: "1",
      // Unplaced: as a container started without REPLICAS would be.
      SNOWFLAKE_JOB_INDEX: placed ? String(replica) : "",
      SNOWFLAKE_JOBS_COUNT: placed ? String(replicas) : "",
      ...env
    },
    stdio: ["ignore", "pipe", "pipe"],
    ...(cwd === undefined ? {} : { cwd })
  })
  const lines: Array<Record<string, unknown>> = []
  let buffer = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString()
    const parts = buffer.split("\n")
    buffer = parts.pop()!
    for (const part of parts) if (part.trim() !== "") lines.push(JSON.parse(part) as Record<string, unknown>)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      status("exited", { code, signal })
      resolve({ code, signal })
    })
  )
  return { child, lines, exited }
}

describe("replicas as processes", () => {
  it("run the current build: the replica and its threads report modules of dist/ built from src/ as it is", async () => {
    const home = tempHome()
    const monitor = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
    const job = await stage(home, {
      rows: rows.slice(0, 100),
      columns,
      signature,
      replicas: 1,
      targetShards: 2
    })
    const replica = startReplica(home, job.planLocation, 0, 1, monitor)
    expect((await replica.exited).code).toBe(0)
    const done = replica.lines.at(-1) as { entry?: string; summary?: { modules?: ReadonlyArray<string> } }
    const runtime = join(root, "packages", "runtime")
    expect(done.entry).toBe(pathToFileURL(join(runtime, "dist", "main.js")).href)
    expect(done.summary?.modules).toEqual([pathToFileURL(join(runtime, "dist", "pipeline-thread.js")).href])
    // Those builds, and every other package's, are the sources as they are now.
    const packages = ["packages", "plugins"].flatMap((parent) =>
      readdirSync(join(root, parent)).map((name) => join(root, parent, name))
    )
    const stale = packages.flatMap((dir) =>
      BuildStamp.staleSources(dir).map((file) => `${relative(root, dir)}/${file}`)
    )
    expect(stale, "sources changed since the last build (vitest's global setup runs tsc -b)").toEqual([])
  })

  it("refuse to start without their index and count when the plan is for several, and run a plan of one", async () => {
    const home = tempHome()
    const monitor = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
    const several = await stage(home, {
      rows: rows.slice(0, 100),
      columns,
      signature,
      replicas: 2,
      targetShards: 2
    })
    const refused = startReplica(home, several.planLocation, 0, 2, monitor, undefined, false)
    expect((await refused.exited).code).toBe(1)
    expect(refused.lines.at(-1)).toMatchObject({ type: "failed", error: { tag: "ReplicaUnplaced" } })
    expect(String((refused.lines.at(-1)!["error"] as { message: string }).message)).toContain("REPLICAS = 2")
    // Nothing committed: no part of any shard.
    const written = readdirSync(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      {
        recursive: true
      }
    ).map(String)
    expect(written.filter((path) => /part-\d+/.test(path))).toEqual([])
    const other = tempHome()
    const one = await stage(other, {
      rows: rows.slice(0, 100),
      columns,
      signature,
      replicas: 1,
      targetShards: 2
    })
    const ran = startReplica(other, one.planLocation, 0, 1, monitor, undefined, false)
    expect((await ran.exited).code).toBe(0)
    expect(ran.lines.at(-1)).toMatchObject({
      type: "done",
      replica: 0,
      summary: { finished: true, rows: 100 }
    })
  })

  it("run from stage volumes mounted outside any home, write-once, reading the model from the copy staged with the job", async () => {
    const home = tempHome()
    const monitor = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
    const sample = gbdtJob(300, 3)
    // The model goes on @ML.PUBLIC.MODELS, which the container below does not mount.
    const gbdt = { ...sample.options, replicas: 1, targetShards: 3 }
    const job = await stage(home, { ...gbdt, stageArtifacts: true })
    expect(job.plan.artifacts[0]!.staged).toBe(
      "@ML.PUBLIC.RESULTS/out/_runbatch/ML.PUBLIC.TEST_JOB/model/model.onnx"
    )
    // The container's view: the RESULTS stage's files at a mount path, and an empty home.
    const mounts = mkdtempSync(join(tmpdir(), "runbatch-mounts-"))
    const volume = join(mounts, "0")
    cpSync(
      LocalLayout.stageDir(home, { kind: "named", database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      volume,
      {
        recursive: true
      }
    )
    const container = mkdtempSync(join(tmpdir(), "runbatch-container-"))
    const resultsKey = StageLocation.stageKey(Effect.runSync(StageLocation.parse("@ML.PUBLIC.RESULTS")))
    const env = {
      RUNBATCH_STAGE_MOUNTS: JSON.stringify({ "@ML.PUBLIC.RESULTS": volume }),
      RUNBATCH_OBJECT_STORE: "1"
    }
    const replica = startReplica(container, job.planLocation, 0, 1, monitor, undefined, true, env)
    expect((await replica.exited).code, JSON.stringify(replica.lines.at(-1))).toBe(0)
    expect(replica.lines.at(-1)).toMatchObject({ type: "done", summary: { finished: true, rows: 300 } })
    expect(readdirSync(container)).toEqual([])
    const read = await Effect.runPromise(
      ResultsReader.readTable("@ML.PUBLIC.RESULTS/out/").pipe(
        Effect.provide(
          StageStore.layerLocalHome({
            home: container,
            database: "ML",
            schema: "PUBLIC",
            stageMounts: { [resultsKey]: volume }
          })
        )
      )
    )
    const direct = await OnnxReference.run(sample.model, "input", sample.features)
    const labels = read
      .toArray()
      .map((row) => ({ ...(row as { toJSON(): Record<string, unknown> }).toJSON() }))
      .sort((a, b) => Number(a["ID"]) - Number(b["ID"]))
      .map((row) => row["label"])
    expect(labels).toEqual(Array.from(direct["label"]!.data as BigInt64Array))
    // Without the staged copy the model is on a stage the container does not mount: the replica says so.
    const other = tempHome()
    const unstaged = await stage(other, gbdt)
    const volume2 = join(mounts, "1")
    cpSync(
      LocalLayout.stageDir(other, { kind: "named", database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      volume2,
      {
        recursive: true
      }
    )
    const elsewhere = startReplica(container, unstaged.planLocation, 0, 1, monitor, undefined, true, {
      ...env,
      RUNBATCH_STAGE_MOUNTS: JSON.stringify({ "@ML.PUBLIC.RESULTS": volume2 })
    })
    expect((await elsewhere.exited).code).toBe(1)
    expect(JSON.stringify(elsewhere.lines.at(-1))).toMatch(
      /the stage @ML\.PUBLIC\.MODELS is not mounted here; the mounted stages are @ML\.PUBLIC\.RESULTS /
    )
    const bad = startReplica(container, job.planLocation, 0, 1, monitor, undefined, true, {
      RUNBATCH_STAGE_MOUNTS: '{"@ML.PUBLIC.RESULTS": "relative/path"}'
    })
    expect((await bad.exited).code).toBe(2)
  })

  it("run a job to the end through the runbatch-replica command", async () => {
    const home = tempHome()
    const monitor = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
    const job = await stage(home, { rows, columns, signature, replicas: 2, targetShards: 8 })
    const replicas = [0, 1].map((i) => startReplica(home, job.planLocation, i, 2, monitor))
    const exits = await Promise.all(replicas.map((r) => r.exited))
    expect(exits.map((e) => e.code)).toEqual([0, 0])
    expect(replicas[0]!.lines.at(-1)).toMatchObject({ type: "done", replica: 0, summary: { finished: true } })
    expect(replicas[1]!.lines.some((l) => l["type"] === "progress")).toBe(true)
    expect((await results(home)).numRows).toBe(2000)
  })

  it("load a third-party plugin named only in plan.json, by the folder it was planned from, whatever their working directory", async () => {
    const home = tempHome()
    const monitor = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
    // The testkit engine is no first-party plugin: given by a path relative to this process, it is
    // recorded in the plan by its absolute folder, and the replica's environment names no plugin.
    const job = await stage(home, {
      rows: rows.slice(0, 100),
      columns,
      signature,
      replicas: 1,
      targetShards: 1,
      plugins: [`./${relative(process.cwd(), TestEngine.packageDir)}`]
    })
    expect(job.plan.plugins.map((p) => [p.id, p.specifier])).toEqual([[TestEngine.id, TestEngine.packageDir]])
    const elsewhere = mkdtempSync(join(tmpdir(), "runbatch-cwd-"))
    const replica = startReplica(home, job.planLocation, 0, 1, monitor, elsewhere)
    expect((await replica.exited).code).toBe(0)
    expect((await results(home)).numRows).toBe(100)
  })

  it("a replica's last line reaches a reader that is behind: it exits once stdout has taken every line", async () => {
    const home = tempHome()
    const monitor = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
    // 4 batches of 1,000 log lines: ~600 KB of output, far more than the pipe holds.
    const job = await stage(home, {
      rows,
      columns,
      signature,
      replicas: 1,
      targetShards: 4,
      engineOptions: { logLines: 1000 }
    })
    writeFileSync(join(monitor, "replica-0.json"), JSON.stringify({ replica: 0, state: "running" }))
    const child = spawn(replicaCommand.command, [...replicaCommand.args, "--plan", job.planLocation], {
      env: {
        ...process.env,
        RUNBATCH_HOME: home,
        RUNBATCH_MONITOR_DIR: monitor,
        RUNBATCH_CPUS: "1"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk
    })
    // Nothing is read until the replica is done: it exited, or its results are committed and 2 s
    // have passed (a replica that waits for its reader cannot exit before it reads).
    child.stdout!.pause()
    let stderr = ""
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const closed = new Promise<void>((resolve) => child.on("close", () => resolve()))
    let hasExited = false
    void exited.then(() => {
      hasExited = true
    })
    const success = join(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      "out",
      "_SUCCESS"
    )
    let committedAt: number | undefined
    while (!hasExited && (committedAt === undefined || Date.now() - committedAt < 2000)) {
      if (committedAt === undefined && existsSync(success)) committedAt = Date.now()
      await new Promise((r) => setTimeout(r, 20))
    }
    child.stdout!.resume()
    expect(await exited, stderr).toBe(0)
    await closed
    const lines = output
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as { type: string; message?: string })
    const logged = lines.filter(
      (l) => l.type === "log" && /call \d+, line \d+ of 1000$/.test(l.message ?? "")
    )
    expect(logged.length).toBeGreaterThanOrEqual(4000)
    expect(logged.length % 1000).toBe(0)
    expect(lines.at(-1)).toMatchObject({ type: "done", replica: 0, summary: { finished: true } })
  })

  it("a replica that dies fails the job at the coordinator instead of leaving it waiting", async () => {
    const home = tempHome()
    const monitor = mkdtempSync(join(tmpdir(), "runbatch-monitor-"))
    const job = await stage(home, {
      rows,
      columns,
      signature,
      replicas: 2,
      targetShards: 8,
      engineOptions: { exitOnReplica: 1 }
    })
    const crashing = startReplica(home, job.planLocation, 1, 2, monitor)
    const coordinator = await runInProcess(home, job, {
      replica: 0,
      replicas: 2,
      monitor: ReplicaMonitor.layerStatusFolder(monitor, 2)
    })
    expect((await crashing.exited).signal).toBe("SIGKILL")
    if (Exit.isSuccess(coordinator.exit)) throw new Error("the coordinator should have failed")
    const error = Cause.findErrorOption(coordinator.exit.cause)
    expect(error._tag === "Some" && (error.value as { _tag: string })._tag).toBe("ReplicaLost")
    expect(error._tag === "Some" && (error.value as Error).message).toContain(
      "Replica 1 stopped before finishing its shards: it was killed by SIGKILL."
    )
    const out = join(
      LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
      "out"
    )
    expect(existsSync(join(out, "_SUCCESS"))).toBe(false)
  })

  it("rejects bad arguments with exit code 2", () => {
    const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
      try {
        execFileSync(replicaCommand.command, [...replicaCommand.args, ...args], {
          stdio: "pipe",
          env: { ...process.env, ...env }
        })
        return { code: 0, stderr: "" }
      } catch (error) {
        const failed = error as { status: number; stderr: Buffer }
        return { code: failed.status, stderr: failed.stderr.toString() }
      }
    }
    expect(run([]).code).toBe(2)
    expect(run(["--plan", "@ML.PUBLIC.S/p.json", "--replica", "3", "--replicas", "2"]).code).toBe(2)
    expect(run(["--plan", "@ML.PUBLIC.S/p.json"], { RUNBATCH_HEAP_GROWING_PERCENT: "lots" })).toEqual({
      code: 2,
      stderr: expect.stringContaining('RUNBATCH_HEAP_GROWING_PERCENT is "lots", not a whole number')
    })
  })
})
