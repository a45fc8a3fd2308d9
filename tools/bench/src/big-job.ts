/**
 * One big job, watched: a generated table of `--rows` rows (an ID and 13 float features) through the
 * 100-tree GBDT on `--replicas` replica processes, sampling every `--every` seconds the rows done and
 * each replica process's resident memory (VmRSS, and its peak VmHWM, pipeline threads included), so
 * that memory can be seen to stay flat however many rows go through.
 *
 *   npm run big-job -- [--rows 100000000] [--replicas 2] [--every 5] [--series FILE] [--keep]
 *
 * Progress goes to stderr; the time series (seconds, rows, rows/s over the interval, RSS MiB per
 * replica) to `--series` as CSV; one JSON summary line to stdout. At the end the output is counted
 * by DuckDB: every ID once, nothing else. Exits 1 when the job did not end DONE or the count is off.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Session } from "@runbatch/runbatch"
import { LocalLayout } from "@runbatch/spec"
import { OnnxModels } from "@runbatch/testkit"
import { gbdtRowsQuery, gbdtSignature } from "./onnx/gbdt-table.ts"
import { runScript } from "./script-exit.ts"

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "100000000" },
    replicas: { type: "string", default: "2" },
    every: { type: "string", default: "5" },
    series: { type: "string" },
    keep: { type: "boolean", default: false }
  }
})
const rows = Number(values.rows)
const replicas = Number(values.replicas)
const everySeconds = Number(values.every)
const JOB = "BIG_JOB"
const OUTPUT = "@ML.PUBLIC.RESULTS/big/"

const scratch = mkdtempSync(join(tmpdir(), "runbatch-big-job-"))
const home = join(scratch, "home")
const session = Session.local({ home, database: "ML", schema: "PUBLIC" })
const say = (line: string) => process.stderr.write(`${line}\n`)

/** Resident and peak memory (MiB) of each replica process of this job, by pid. */
const replicaMemory = (): Map<number, { rss: number; peak: number }> => {
  const found = new Map<number, { rss: number; peak: number }>()
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // Replicas get their plan as RUNBATCH_PLAN, a location inside the job's output folder.
      const environment = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0")
      const plan = environment.find((variable) => variable.startsWith("RUNBATCH_PLAN="))
      if (plan === undefined || !plan.includes(OUTPUT.slice(1))) continue
      const status = readFileSync(`/proc/${entry}/status`, "utf8")
      const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
      found.set(Number(entry), { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 })
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return found
}

const rangeOf = (values: ReadonlyArray<number>) =>
  values.length === 0 ? [] : [Math.min(...values), Math.max(...values)]

const main = async () => {
  const started = Date.now()
  const modelPath = join(scratch, "gbdt.onnx")
  writeFileSync(modelPath, OnnxModels.gbdt())
  await session.registry.logModel({
    name: "GBDT",
    version: "V1",
    engine: "onnx",
    artifacts: [{ name: "model.onnx", path: modelPath }],
    signatures: { predict: gbdtSignature() }
  })
  say(`big-job: generating ${rows.toLocaleString("en")} rows in ${home}`)
  await session.sql.execute(`CREATE TABLE ML.PUBLIC.BIG AS ${gbdtRowsQuery(rows)}`)
  const generatedSeconds = (Date.now() - started) / 1000

  const submitted = Date.now()
  const job = await session.runBatch({
    model: "GBDT",
    input: session.table("ML.PUBLIC.BIG"),
    outputSpec: { stageLocation: OUTPUT },
    jobSpec: { jobName: JOB, replicas },
    cpus: 1
  })
  const series: Array<{ seconds: number; rows: number; rowsPerSecond: number; rssMiB: Array<number> }> = []
  const peaks = new Map<number, number>()
  let lastRows = 0
  let lastAt = Date.now()
  let status = await job.status()
  while (status === "PENDING" || status === "RUNNING") {
    await new Promise((resolve) => setTimeout(resolve, everySeconds * 1000))
    const now = Date.now()
    const progress = await job.progress()
    const memory = replicaMemory()
    for (const [pid, { peak }] of memory) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, peak))
    const point = {
      seconds: Math.round((now - submitted) / 100) / 10,
      rows: progress.rows,
      rowsPerSecond: Math.round(((progress.rows - lastRows) * 1000) / (now - lastAt)),
      rssMiB: [...memory.values()].map((m) => Math.round(m.rss))
    }
    series.push(point)
    say(
      `  ${point.seconds}s ${point.rows.toLocaleString("en")} rows, ${point.rowsPerSecond.toLocaleString("en")} rows/s, RSS ${point.rssMiB.join(" / ")} MiB`
    )
    lastRows = progress.rows
    lastAt = now
    status = await job.status()
  }
  const jobSeconds = (Date.now() - submitted) / 1000
  const description = await job.describe()
  const output = join(
    LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
    "big"
  )
  const counted = await session.sql.query(
    `SELECT count(*) AS n, count(DISTINCT ID) AS ids, min(ID) AS low, max(ID) AS high FROM read_parquet('${output}/part-*.parquet')`
  )
  const value = (column: string) => Number(counted.getChild(column)?.get(0))
  const count = { rows: value("n"), ids: value("ids"), low: value("low"), high: value("high") }
  const complete = count.rows === rows && count.ids === rows && count.low === 0 && count.high === rows - 1
  if (values.series !== undefined) {
    const width = Math.max(0, ...series.map((p) => p.rssMiB.length))
    const header = [
      "seconds",
      "rows",
      "rows_per_second",
      ...Array.from({ length: width }, (_, i) => `rss_mib_${i}`)
    ]
    const lines = series.map((p) => [p.seconds, p.rows, p.rowsPerSecond, ...p.rssMiB].join(","))
    writeFileSync(values.series, `${[header.join(","), ...lines].join("\n")}\n`)
  }
  const summary = {
    bigJob: {
      rows,
      replicas,
      status: description.status,
      message: description.message,
      generatedSeconds: Math.round(generatedSeconds),
      jobSeconds: Math.round(jobSeconds),
      rowsPerSecond: Math.round(rows / jobSeconds),
      peakRssMiBPerReplica: [...peaks.values()].map(Math.round),
      // Once rows flow: a replica starting up is still loading.
      rssMiBRange: rangeOf(series.filter((p) => p.rows > 0).flatMap((p) => p.rssMiB)),
      count,
      complete
    }
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`)
  return description.status === "DONE" && complete
}

runScript("big-job", main, async () => {
  await session.close()
  if (!values.keep) rmSync(scratch, { recursive: true, force: true })
})
