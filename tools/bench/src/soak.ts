/**
 * The soak run: many jobs in one home, a few at a time, every one checked for cross-talk. Each job
 * has its own input table (IDs in its own range), model version, output folder and name; at the end
 * every job must be DONE with exactly its rows, its output's manifest naming it, its logs and record
 * speaking of it alone, and no file of one job in another's folder.
 *
 *   npm run soak -- [--jobs 20] [--concurrency 2] [--rows 200000]
 *
 * Prints progress on stderr, one JSON summary line on stdout, and exits 1 when any check failed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { Session } from "@runbatch/runbatch"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OnnxModels } from "@runbatch/testkit"
import { runScript } from "./script-exit.ts"

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "20" },
    concurrency: { type: "string", default: "2" },
    rows: { type: "string", default: "200000" },
    keep: { type: "boolean", default: false }
  }
})
const jobs = Number(values.jobs)
const concurrency = Number(values.concurrency)
const baseRows = Number(values.rows)
const FEATURES = 13
/** Each job's IDs start at index × SPAN, so a row in the wrong output gives itself away. */
const SPAN = 1_000_000_000

const scratch = mkdtempSync(join(tmpdir(), "runbatch-soak-"))
const home = join(scratch, "home")
const session = Session.local({ home, database: "ML", schema: "PUBLIC" })
const problems: Array<string> = []
const problem = (job: string, what: string) => {
  problems.push(`${job}: ${what}`)
  process.stderr.write(`  ${job}: ${what}\n`)
}

const nameOf = (i: number) => `SOAK_${String(i).padStart(2, "0")}`
const rowsOf = (i: number) => baseRows + i * 997 // every job a different size
const pathOf = (i: number) => `soak/${nameOf(i).toLowerCase()}/`

const prepare = async (i: number) => {
  const name = nameOf(i)
  const features = Array.from(
    { length: FEATURES },
    (_, j) => `round(((hash(r * ${FEATURES} + ${j} + ${i}) % 100000) / 10000.0)::DOUBLE, 2) AS F${j}`
  )
  await session.sql.execute(
    `CREATE TABLE ML.PUBLIC.${name} AS SELECT ${i}::BIGINT * ${SPAN} + r AS ID, ${features.join(", ")} FROM range(${rowsOf(i)}) t(r)`
  )
}

const run = async (i: number) => {
  const name = nameOf(i)
  const started = Date.now()
  const job = await session.runBatch({
    model: "GBDT",
    version: `V${i}`,
    input: session.table(`ML.PUBLIC.${name}`),
    outputSpec: { stageLocation: `@ML.PUBLIC.RESULTS/${pathOf(i)}` },
    // Alternate one and two replicas: both launch paths soak.
    jobSpec: { jobName: name, replicas: 1 + (i % 2), block: true },
    cpus: 1
  })
  const status = await job.status()
  process.stderr.write(`${name}: ${status} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  return { job, status }
}

const check = async (i: number, job: Awaited<ReturnType<typeof run>>["job"]) => {
  const name = nameOf(i)
  const id = `ML.PUBLIC.${name}`
  const description = await job.describe()
  if (description.status !== "DONE") return problem(name, `${description.status}: ${description.message}`)
  if (description.name !== name) problem(name, `its record names ${description.name}`)
  const table = await session.readResults(`@ML.PUBLIC.RESULTS/${pathOf(i)}`)
  if (table.numRows !== rowsOf(i)) problem(name, `${table.numRows} rows, not ${rowsOf(i)}`)
  const ids = table.getChild("ID")!.toArray() as BigInt64Array
  const low = BigInt(i * SPAN)
  const high = low + BigInt(rowsOf(i))
  const seen = new Set<bigint>()
  for (const value of ids) {
    if (value < low || value >= high) {
      problem(name, `holds row ${value}, which belongs to another job`)
      break
    }
    seen.add(value)
  }
  if (seen.size !== rowsOf(i)) problem(name, `${seen.size} distinct rows, not ${rowsOf(i)}`)
  const output = join(
    LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "RESULTS" }),
    pathOf(i)
  )
  const manifest = JSON.parse(readFileSync(join(output, "_manifest.json"), "utf8")) as {
    job_info: { job: string; model: { version: string } }
  }
  if (manifest.job_info.job !== id) problem(name, `its manifest names ${manifest.job_info.job}`)
  if (manifest.job_info.model.version !== `V${i}`)
    problem(name, `its manifest names version ${manifest.job_info.model.version}`)
  // Logs and records speak of this job alone.
  for (let replica = 0; replica < 1 + (i % 2); replica++) {
    const log = await job.getLogs({ instance: replica })
    const others = [...log.matchAll(/SOAK_\d\d/g)].map((m) => m[0]).filter((other) => other !== name)
    if (others.length > 0) problem(name, `replica ${replica}'s log mentions ${others[0]}`)
  }
  const folder = LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name })
  for (const file of ["job.json", "supervisor.log"]) {
    const text = readFileSync(join(folder, file), "utf8")
    const others = [...text.matchAll(/SOAK_\d\d/g)].map((m) => m[0]).filter((other) => other !== name)
    if (others.length > 0) problem(name, `its ${file} mentions ${others[0]}`)
  }
  const files = readdirSync(output).filter((f) => f !== "_runbatch")
  const parts = files.filter((f) => f.startsWith("part-"))
  if (files.length !== parts.length + 2) problem(name, `unexpected files in its output: ${files.join(", ")}`)
}

const main = async () => {
  const started = Date.now()
  const modelPath = join(scratch, "gbdt.onnx")
  writeFileSync(modelPath, OnnxModels.gbdt())
  const signature = Signature.signature(
    Array.from({ length: FEATURES }, (_, j) => Signature.feature(`F${j}`, "DOUBLE")),
    [Signature.feature("label", "INT64"), Signature.feature("probabilities", "FLOAT", { shape: [3] })]
  )
  process.stderr.write(`soak: ${jobs} jobs, ${concurrency} at a time, in ${home}\n`)
  for (let i = 0; i < jobs; i++) {
    // One version per job, so a plan that picked up another job's version would show in its manifest.
    await session.registry.logModel({
      name: "GBDT",
      version: `V${i}`,
      engine: "onnx",
      artifacts: [{ name: "model.onnx", path: modelPath }],
      signatures: { predict: signature }
    })
    await prepare(i)
  }
  const results = new Map<number, Awaited<ReturnType<typeof run>>>()
  let next = 0
  const lane = async () => {
    for (let i = next++; i < jobs; i = next++) {
      try {
        results.set(i, await run(i))
      } catch (error) {
        problem(nameOf(i), `did not run: ${(error as Error).message}`)
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  for (const [i, { job }] of [...results].sort((a, b) => a[0] - b[0])) await check(i, job)
  const done = [...results.values()].filter((r) => r.status === "DONE").length
  const totalRows = Array.from({ length: jobs }, (_, i) => rowsOf(i)).reduce((a, b) => a + b, 0)
  const seconds = (Date.now() - started) / 1000
  process.stdout.write(
    `${JSON.stringify({ soak: { jobs, concurrency, done, rows: totalRows, seconds: Math.round(seconds), problems } })}\n`
  )
  return problems.length === 0 && done === jobs
}

// A failed soak keeps its home for a look (the error names the job); a clean one is removed.
runScript("soak", main, async (ok) => {
  await session.close()
  if (ok && !values.keep) rmSync(scratch, { recursive: true, force: true })
})
