/**
 * The CLI end to end: every command spawned as a real process on a fresh home, jobs run by the real
 * launcher and runtime. The test engine (a linear model, y = 2x − z + 0.25) stands in where the model
 * does not matter; the demo test runs the real ONNX models.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { gzipSync } from "node:zlib"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { LocalLayout } from "@runbatch/spec"
import { OnnxModels, TestEngine } from "@runbatch/testkit"
import { file, prepareHome, runCli } from "../cli.ts"
import { tempHome } from "../support.ts"

const stageDir = (home: string, stage: string) =>
  LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage })

const plugin = ["--plugin", TestEngine.packageDir]

/** Look every 25 ms until `check` returns a value (a file another process writes); at most `millis`. */
const eventually = async <A>(check: () => A | undefined, millis = 120_000): Promise<A> => {
  const deadline = Date.now() + millis
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`not reached within ${millis} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe("the runbatch command", () => {
  beforeAll(() => {
    // The CLI runs from the built package (npm test builds it first).
    expect(existsSync(new URL("../../dist/cli/main.js", import.meta.url))).toBe(true)
  })

  it("prints help, the version, and refuses unknown commands and options with exit code 2", async () => {
    const home = tempHome()
    const help = await runCli(home, ["--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("Usage: runbatch <command>")
    expect(help.stdout).toContain("jobs cancel")
    const runHelp = await runCli(home, ["run", "--help"])
    expect(runHelp.stdout).toContain("--column-handling COL=CONVERT_TO")
    expect((await runCli(home, ["--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
    const unknown = await runCli(home, ["jobz"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command "jobz"')
    const badOption = await runCli(home, ["stage", "ls", "@ML.PUBLIC.S/", "--patern", "x"])
    expect(badOption.code).toBe(2)
    expect(badOption.stderr).toContain("--patern")
    expect(badOption.stderr).toContain("Did you mean '--pattern'?")
    const typo = await runCli(home, ["run", "--modle", "m", "--table", "t", "--output", "@S/o/"])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toMatch(/Unknown option '--modle'. Did you mean .*'--model'/)
    const global = await runCli(home, ["sql", "select 1", "--jsn"])
    expect(global.stderr).toContain("Did you mean '--json'?")
    const far = await runCli(home, ["run", "--zzzzzz"])
    expect(far.stderr).not.toContain("Did you mean")
  })

  it("runs the demo: both jobs DONE, OCR text beside the drawn text, and again on the same home", async () => {
    const home = tempHome()
    const first = await runCli(home, ["demo", "--rows", "20000", "--images", "12"])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).toContain("Creating DEMO.PUBLIC.SAMPLES: 20,000 rows")
    expect(first.stdout).toContain("@DEMO.PUBLIC.RESULTS/gbdt/  DONE: 20,000 row(s)")
    expect(first.stdout).toMatch(/OCR read (1[0-2]) of 12 lines exactly as drawn/)
    const again = await runCli(home, ["--json", "demo"])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).not.toContain("Creating")
    expect(JSON.parse(again.stdout)).toMatchObject({ ocrLines: 12, gbdt: { status: "DONE" } })
    expect((await runCli(home, ["--database", "DEMO", "table", "ls"])).stdout).toContain(
      "DEMO.PUBLIC.SAMPLES"
    )
  })

  it("creates tables, runs SQL, moves stage files and shows models", async () => {
    const { home, g } = await prepareHome(10)
    const query = await runCli(home, [...g, "--json", "sql", "SELECT COUNT(*) AS n, SUM(x) AS s FROM points"])
    expect(query.code, query.stderr).toBe(0)
    expect(JSON.parse(query.stdout)).toEqual([{ n: 10, s: 22.5 }])
    // RUNBATCH_DATABASE / RUNBATCH_SCHEMA stand for the flags; a flag on the line wins.
    const where = { RUNBATCH_DATABASE: "ML", RUNBATCH_SCHEMA: "PUBLIC" }
    const fromEnv = await runCli(home, ["--json", "sql", "SELECT COUNT(*) AS n FROM points"], where)
    expect(fromEnv.code, fromEnv.stderr).toBe(0)
    expect(JSON.parse(fromEnv.stdout)).toEqual([{ n: 10 }])
    const current = "SELECT current_database() AS d, current_schema() AS s"
    const flagWins = await runCli(home, ["--database", "OTHER", "--json", "sql", current], where)
    expect(JSON.parse(flagWins.stdout)).toEqual([{ d: "OTHER", s: "PUBLIC" }])
    // Names as SQL reads them: unquoted in upper case, quoted as written.
    const named = async (database: string) =>
      JSON.parse((await runCli(home, ["--database", database, "--json", "sql", current])).stdout)[0].d
    expect(await named('"lower"')).toBe("lower")
    expect(await named("MyDb")).toBe("MYDB")
    const badName = await runCli(home, ["--database", "my db", "sql", current])
    expect(badName.code).toBe(2)
    expect(badName.stderr).toContain('--database my db: Invalid identifier "my db"')
    // A typo is bad input (exit 2); a statement that fails as it runs is an operational failure (1).
    const typo = await runCli(home, [...g, "sql", "SELEC 1"])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("SqlError")
    expect((await runCli(home, [...g, "sql", "SELECT 3::TINYINT * 100::TINYINT"])).code).toBe(1)
    expect(
      (
        await runCli(home, [
          ...g,
          "sql",
          "SELECT id FROM points ORDER BY id",
          "--format",
          "csv",
          "--limit",
          "3"
        ])
      ).stdout.trim()
    ).toBe("id\n0\n1\n2")

    file(home, "a.txt", "alpha")
    const put = await runCli(home, [
      "stage",
      "put",
      join(home, "a.txt"),
      join(home, "points.csv"),
      "@ML.PUBLIC.FILES/in/"
    ])
    expect(put.code, put.stderr).toBe(0)
    const listed = JSON.parse(
      (await runCli(home, ["--json", "stage", "ls", "@ML.PUBLIC.FILES/in/", "--pattern", ".*\\.txt"])).stdout
    )
    expect(listed.map((e: { name: string }) => e.name)).toEqual(["@ML.PUBLIC.FILES/in/a.txt"])
    // A file already there is skipped and reported, as Snowflake's PUT does; never overwritten.
    file(home, "b.txt", "beta")
    const again = await runCli(home, [
      "stage",
      "put",
      join(home, "a.txt"),
      join(home, "b.txt"),
      "@ML.PUBLIC.FILES/in/"
    ])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain("Put 1 file(s) under @ML.PUBLIC.FILES/in/")
    expect(again.stdout).toContain("Skipped 1 file(s) already on the stage")
    expect(again.stdout).not.toContain("differs")
    file(home, "a.txt", "alpha, edited")
    const changed = await runCli(home, ["stage", "put", join(home, "a.txt"), "@ML.PUBLIC.FILES/in/"])
    expect(changed.code, changed.stderr).toBe(0)
    expect(changed.stdout).toContain(`@ML.PUBLIC.FILES/in/a.txt (differs from ${join(home, "a.txt")})`)
    const got = await runCli(home, ["stage", "get", "@ML.PUBLIC.FILES/in/", join(home, "out")])
    expect(got.code, got.stderr).toBe(0)
    expect(readFileSync(join(home, "out", "a.txt"), "utf8")).toBe("alpha")
    expect((await runCli(home, ["stage", "rm", "@ML.PUBLIC.FILES/in/a.txt"])).stdout).toContain(
      "Removed 1 file(s)."
    )

    expect((await runCli(home, [...g, "model", "ls"])).stdout).toContain("ML.PUBLIC.LINEAR")
    const shown = await runCli(home, [...g, "model", "show", "linear", "--version", "v1"])
    expect(shown.stdout).toContain("engine: test-linear")
    expect(shown.stdout).toContain("name: x")
    const missing = await runCli(home, [...g, "model", "show", "linaer"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("LINEAR")
  })

  it("table create reads .csv.gz and .tsv files and the CSV dialect its flags give", async () => {
    const home = tempHome()
    const g = ["--database", "ML", "--json"]
    const describe = async (table: string) =>
      JSON.parse(
        (
          await runCli(home, [
            ...g,
            "sql",
            `SELECT column_name AS c, column_type AS t FROM (DESCRIBE ${table})`
          ])
        ).stdout
      )
    const na = file(home, "na.csv.gz", gzipSync("id;score\n1;4,5\n2;NA\n3;n/a\n"))
    const created = await runCli(home, [
      ...g,
      "table",
      "create",
      "eu",
      "--from",
      na,
      "--delimiter",
      ";",
      "--decimal-comma",
      "--null-string",
      "NA",
      "--null-string",
      "n/a"
    ])
    expect(created.code, created.stderr).toBe(0)
    expect(JSON.parse(created.stdout)).toEqual({ table: "ML.PUBLIC.EU", rows: 3 })
    expect(await describe("eu")).toEqual([
      { c: "id", t: "BIGINT" },
      { c: "score", t: "DOUBLE" }
    ])
    const tsv = file(home, "w.tsv", "1\tmerlot, 2019\n2\tsyrah\n")
    const raw = await runCli(home, [...g, "table", "create", "w", "--from", tsv, "--no-header"])
    expect(raw.code, raw.stderr).toBe(0)
    expect(JSON.parse(raw.stdout)).toEqual({ table: "ML.PUBLIC.W", rows: 2 })
    expect(await describe("w")).toEqual([
      { c: "column0", t: "BIGINT" },
      { c: "column1", t: "VARCHAR" }
    ])
    const both = await runCli(home, ["table", "create", "x", "--from", tsv, "--header", "--no-header"])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("--header and --no-header contradict each other")
    const parquetFlags = await runCli(home, [
      "table",
      "create",
      "x",
      "--from",
      "a.parquet",
      "--delimiter",
      ";"
    ])
    expect(parquetFlags.code).toBe(2)
    expect(parquetFlags.stderr).toContain('--delimiter applies only to CSV files; "a.parquet" is parquet')
    const other = await runCli(home, ["table", "create", "x", "--from", "a.json"])
    expect(other.code).toBe(2)
    expect(other.stderr).toContain("--from takes a .parquet, .csv, .csv.gz, .tsv or .tsv.gz file")
  })

  it("model log refuses what the engine would refuse at run, before anything is written", async () => {
    const home = tempHome()
    const g = ["--database", "ML", "--schema", "PUBLIC"]
    const signature = file(
      home,
      "iris.yaml",
      `predict:
  inputs: [{name: a, type: DOUBLE}, {name: b, type: DOUBLE}, {name: c, type: DOUBLE}, {name: d, type: DOUBLE}]
  outputs: [{name: label, type: INT64}, {name: probabilities, type: FLOAT, shape: [3]}]
`
    )
    const onnx = file(home, "iris.onnx", OnnxModels.logisticRegression())
    const log = (...args: Array<string>) =>
      runCli(home, [
        ...g,
        "model",
        "log",
        "--name",
        "iris",
        "--version",
        "v1",
        "--signature",
        signature,
        ...args
      ])
    const csv = await log("--onnx", file(home, "iris.csv", "a,b,c,d\n1,2,3,4\n"))
    expect(csv.code).toBe(2)
    expect(csv.stderr).toContain("onnxruntime cannot load the graph")
    expect(csv.stderr).toContain("EnginePrepareError")
    const typo = await log("--onnx", onnx, "--options", file(home, "options.yaml", "treads: 2\n"))
    expect(typo.code).toBe(2)
    expect(typo.stderr).toContain("treads: unknown option. Did you mean 'threads'?")
    const gray = await log(
      "--onnx",
      onnx,
      "--options",
      file(home, "gray.yaml", "image: {feature: a, height: 8, channels: grey}\n")
    )
    expect(gray.stderr).toContain('image.channels: Expected "rgb" | "bgr" | "gray", got "grey"')
    // An engine not installed here cannot check it: refused, unless asked to log it unchecked.
    const elsewhere = await log("--engine", "elsewhere-engine")
    expect(elsewhere.code).toBe(2)
    expect(elsewhere.stderr).toContain("No installed engine has the id 'elsewhere-engine'")
    expect(elsewhere.stderr).toContain("--unchecked")
    expect((await runCli(home, [...g, "--json", "model", "ls"])).stdout.trim()).toBe("[]")
    const logged = await log("--onnx", onnx)
    expect(logged.code, logged.stderr).toBe(0)
    const unchecked = await runCli(home, [
      ...g,
      "model",
      "log",
      "--name",
      "elsewhere",
      "--version",
      "v1",
      "--signature",
      signature,
      "--engine",
      "elsewhere-engine",
      "--unchecked"
    ])
    expect(unchecked.code, unchecked.stderr).toBe(0)
  })

  it("runs a job of two replicas to the end with --wait, then prints its results", async () => {
    const { home, g } = await prepareHome(2000)
    const ran = await runCli(home, [
      ...g,
      "run",
      "--model",
      "linear",
      "--table",
      "points",
      "--output",
      "@ML.PUBLIC.RESULTS/linear/",
      "--replicas",
      "2",
      "--job-name",
      "NIGHTLY",
      "--wait",
      ...plugin
    ])
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toContain("Job ML.PUBLIC.NIGHTLY DONE: 2,000 row(s)")
    expect(ran.stderr).toContain("100%")
    const out = JSON.parse(
      (await runCli(home, [...g, "--json", "results", "@ML.PUBLIC.RESULTS/linear/", "--limit", "0"])).stdout
    )
    expect(out).toHaveLength(2000)
    for (const row of out.slice(0, 50)) expect(row.y).toBeCloseTo(2 * row.x - row.z + 0.25, 10)
    const jobs = JSON.parse((await runCli(home, ["--json", "jobs", "ls"])).stdout)
    expect(jobs[0]).toMatchObject({
      id: "ML.PUBLIC.NIGHTLY",
      name: "NIGHTLY",
      status: "DONE",
      target_instances: 2
    })
    // The qualified id from `jobs ls` finds the job without --database/--schema.
    expect((await runCli(home, ["jobs", "status", jobs[0].id])).stdout).toContain("ML.PUBLIC.NIGHTLY: DONE")
    // Waiting for a finished job gives the job's own figures, not the wait's: its time from created
    // to completed, and the rate over that time.
    const took = (Date.parse(jobs[0].completed_time) - Date.parse(jobs[0].created_time)) / 1000
    const rate = Math.round(2000 / took).toLocaleString("en-US")
    const waitedDone = await runCli(home, ["jobs", "wait", jobs[0].id])
    expect(waitedDone.code, waitedDone.stderr).toBe(0)
    expect(waitedDone.stdout).toMatch(new RegExp(`DONE: 2,000 row\\(s\\) in [^,]+, ${rate} rows/s\\.`))
    expect((await runCli(home, ["jobs", "status", jobs[0].id])).stdout).toContain(`, ${rate} rows/s.`)
    const logs = await runCli(home, [...g, "jobs", "logs", "NIGHTLY", "--instance", "1"])
    expect(logs.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}Starting inference\.$/m)
    expect(logs.stdout).not.toContain('{"type"')
    const logRecords = JSON.parse(
      (await runCli(home, [...g, "--json", "jobs", "logs", "NIGHTLY", "--instance", "1"])).stdout
    )
    expect(logRecords[0]).toMatchObject({ type: "log", replica: 1, level: "info" })

    // The same name again is refused before anything is written; a prefix makes names unique.
    const again = await runCli(home, [
      ...g,
      "run",
      "--model",
      "linear",
      "--table",
      "points",
      "--output",
      "@ML.PUBLIC.RESULTS/other/",
      "--job-name",
      "NIGHTLY",
      ...plugin
    ])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("NIGHTLY already exists")
    expect(existsSync(join(stageDir(home, "RESULTS"), "other"))).toBe(false)
    const prefixed = await runCli(home, [
      ...g,
      "run",
      "--model",
      "linear",
      "--table",
      "points",
      "--base-output",
      "@ML.PUBLIC.RESULTS/runs/",
      "--job-name-prefix",
      "hourly",
      ...plugin
    ])
    expect(prefixed.code, prefixed.stderr).toBe(0)
    const id = prefixed.stdout.trim()
    expect(id).toMatch(/^ML\.PUBLIC\.HOURLY_[0-9A-F_]{36}$/)
    const waited = await runCli(home, ["jobs", "wait", id])
    expect(waited.code, waited.stderr).toBe(0)
    expect(existsSync(join(stageDir(home, "RESULTS"), "runs", id.split(".")[2]!, "_SUCCESS"))).toBe(true)
  })

  it("refuses a bad job with exit code 2 and writes nothing", async () => {
    const { home, g } = await prepareHome(20)
    const base = [...g, "run", "--model", "linear", "--output", "@ML.PUBLIC.RESULTS/bad/", ...plugin]
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [["--query", "SELECT id, x FROM points"], 'feature "z"'],
      [["--table", "points", "--param", "temperature=0.2"], "temperature"],
      [["--table", "points", "--column-handling", "X=raw_bytes"], "column_handling"],
      [["--table", "points", "--function", "predict_proba"], "predict_proba"],
      [["--table", "nope"], "NOPE"],
      [["--table", "points", "--replicas", "0"], "replicas"],
      [["--table", "points", "--mode", "append"], "mode"],
      [["--table", "points", "--engine", "no-such-engine"], "no-such-engine"]
    ]
    for (const [args, fragment] of cases) {
      const result = await runCli(home, [...base, ...args])
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(2)
      expect(result.stderr.toLowerCase()).toContain(fragment.toLowerCase())
    }
    expect(existsSync(stageDir(home, "RESULTS"))).toBe(false)
    expect(JSON.parse((await runCli(home, ["--json", "jobs", "ls"])).stdout)).toEqual([])
    const noSource = await runCli(home, [
      ...g,
      "run",
      "--model",
      "linear",
      "--output",
      "@ML.PUBLIC.RESULTS/bad/"
    ])
    expect(noSource.code).toBe(2)
    expect(noSource.stderr).toContain("exactly one of --table")
  })

  it("keeps a non-empty output unless --mode overwrite, and runs a job file", async () => {
    const { home, g } = await prepareHome(100)
    const job = (mode: string) =>
      file(
        home,
        `job-${mode}.yaml`,
        `model: ML.PUBLIC.LINEAR
source:
  table: ML.PUBLIC.POINTS
output:
  stage_location: "@ML.PUBLIC.RESULTS/daily/"
  mode: ${mode}
name_prefix: DAILY
block: true
`
      )
    const first = await runCli(home, [...g, "run", "-f", job("error"), ...plugin])
    expect(first.code, first.stderr).toBe(0)
    const refused = await runCli(home, [...g, "run", "-f", job("error"), ...plugin])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain("OutputNotEmpty")
    const replaced = await runCli(home, [...g, "run", "-f", job("overwrite"), "--wait", ...plugin])
    expect(replaced.code, replaced.stderr).toBe(0)
    const parts = readdirSync(join(stageDir(home, "RESULTS"), "daily")).filter((f) => f.endsWith(".parquet"))
    expect(parts.length).toBeGreaterThan(0)
    const mixed = await runCli(home, [...g, "run", "-f", job("error"), "--replicas", "2"])
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toContain("leave out --replicas")
  })

  it("runs a job over no rows: DONE, its results the columns without rows; refuses files that match nothing unless --allow-empty", async () => {
    const { home, g } = await prepareHome(10)
    const created = await runCli(home, [...g, "sql", "CREATE TABLE NONE AS SELECT * FROM POINTS WHERE false"])
    expect(created.code, created.stderr).toBe(0)
    const output = "@ML.PUBLIC.RESULTS/none/"
    const ran = await runCli(home, [
      ...g,
      "run",
      "--model",
      "linear",
      "--table",
      "none",
      "--output",
      output,
      "--wait",
      ...plugin
    ])
    expect(ran.code, ran.stderr).toBe(0)
    expect(ran.stdout).toContain("DONE: 0 row(s)")
    const table = await runCli(home, [...g, "results", output])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout.split("\n")[0]!.split(/\s+/)).toEqual(["id", "x", "z", "y"])
    const csv = await runCli(home, [...g, "results", output, "--format", "csv"])
    expect(csv.code, csv.stderr).toBe(0)
    expect(csv.stdout.trim()).toBe("id,x,z,y")
    const json = await runCli(home, [...g, "results", output, "--format", "json"])
    expect(json.code, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toEqual([])

    // A files job whose pattern matches nothing is refused before anything is written, unless the
    // user asks for an empty run.
    const signature =
      "predict:\n  inputs:\n    - {name: data, type: BYTES}\n  outputs:\n    - {name: bytes, type: INT64}\n"
    const sizes = [...g, "model", "log", "--name", "sizes", "--version", "v1", "--engine", TestEngine.id]
    const logged = await runCli(home, [
      ...sizes,
      "--signature",
      file(home, "sizes.yaml", signature),
      ...plugin
    ])
    expect(logged.code, logged.stderr).toBe(0)
    const put = await runCli(home, [
      ...g,
      "stage",
      "put",
      file(home, "a.txt", "alpha"),
      "@ML.PUBLIC.FILES/docs/"
    ])
    expect(put.code, put.stderr).toBe(0)
    const filesRun = (name: string, extra: ReadonlyArray<string> = []) =>
      runCli(home, [
        ...g,
        "run",
        "--model",
        "sizes",
        "--files",
        "@ML.PUBLIC.FILES/docs/",
        "--pattern",
        ".*\\.png",
        "--column",
        "DATA",
        "--column-handling",
        "DATA=raw_bytes",
        "--output",
        `@ML.PUBLIC.RESULTS/${name}/`,
        "--wait",
        ...extra,
        ...plugin
      ])
    const refused = await filesRun("nofiles")
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`No files under '@ML.PUBLIC.FILES/docs/' match ".*\\\\.png"`)
    expect(refused.stderr).toContain("NoFilesMatched")
    expect(existsSync(join(stageDir(home, "RESULTS"), "nofiles"))).toBe(false)
    const allowed = await filesRun("allowed", ["--allow-empty"])
    expect(allowed.code, allowed.stderr).toBe(0)
    expect(allowed.stdout).toContain("DONE: 0 row(s)")
    const columns = await runCli(home, [...g, "results", "@ML.PUBLIC.RESULTS/allowed/", "--format", "csv"])
    expect(columns.stdout.trim()).toBe("DATA,bytes")
  })

  it("ends a job file with block: true as --wait ends: exit 1 when the job FAILED", async () => {
    const { home, g } = await prepareHome(50, "weights: [2, -1]\nfatalWhen: {feature: x, equals: 0}\n")
    const jobFile = file(
      home,
      "job-blocked.yaml",
      `model: ML.PUBLIC.LINEAR
source:
  table: ML.PUBLIC.POINTS
output:
  stage_location: "@ML.PUBLIC.RESULTS/blocked/"
name_prefix: BLOCKED
block: true
`
    )
    const result = await runCli(home, [...g, "--json", "run", "-f", jobFile, ...plugin])
    expect(result.code, result.stderr).toBe(1)
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "FAILED" })
    expect(JSON.parse(result.stdout).message).toContain("injected fatal failure")
  })

  it("cancels a running job: CANCELLED, and never a _SUCCESS", async () => {
    // The engine holds every batch while the gate exists, and the gate stays: the job is provably
    // still running when the cancel is sent, however slow or fast the machine.
    const gate = join(tempHome(), "gate")
    writeFileSync(gate, "")
    const { home, g } = await prepareHome(
      1000,
      `weights: [2, -1]\nholdWhileExists: ${JSON.stringify(gate)}\n`
    )
    const started = await runCli(home, [
      ...g,
      "run",
      "--model",
      "linear",
      "--table",
      "points",
      "--output",
      "@ML.PUBLIC.RESULTS/slow/",
      "--max-batch-rows",
      "100",
      "--job-name",
      "SLOW",
      ...plugin
    ])
    expect(started.code, started.stderr).toBe(0)
    // Once a batch is held, the job is running and cannot finish before the cancel.
    await eventually(() => (existsSync(`${gate}.held`) ? true : undefined))
    // Nothing under the running job's folder may be removed: neither the folder, a file in it, nor a
    // folder holding it.
    for (const target of [
      "@ML.PUBLIC.RESULTS/slow/",
      "@ML.PUBLIC.RESULTS/slow/x.parquet",
      "@ML.PUBLIC.RESULTS/"
    ]) {
      const refused = await runCli(home, ["stage", "rm", target])
      expect(refused.code, `${target}: ${refused.stderr}`).toBe(2)
      expect(refused.stderr).toContain(
        "'@ML.PUBLIC.RESULTS/slow/' is being written by the job ML.PUBLIC.SLOW"
      )
    }
    const cancelled = await runCli(home, [...g, "jobs", "cancel", "SLOW", "--wait"])
    expect(cancelled.code, cancelled.stderr).toBe(0)
    expect(cancelled.stdout.trim()).toBe("CANCELLED")
    expect(existsSync(join(stageDir(home, "RESULTS"), "slow", "_SUCCESS"))).toBe(false)
    const waited = await runCli(home, [...g, "jobs", "wait", "SLOW"])
    expect(waited.code).toBe(1)
    expect(waited.stdout).toContain("CANCELLED")
    const removed = await runCli(home, [...g, "jobs", "rm", "SLOW"])
    expect(removed.code, removed.stderr).toBe(0)
    expect((await runCli(home, [...g, "jobs", "status", "SLOW"])).code).toBe(2)
    // Once the job has ended, its folder is the user's again.
    expect((await runCli(home, ["stage", "rm", "@ML.PUBLIC.RESULTS/slow/"])).code).toBe(0)
  })

  it("fails a job whose replica is killed (kill -9) mid-run: FAILED with a clear message, exit 1, no hang", async () => {
    const { home, g } = await prepareHome(2000, "weights: [2, -1]\nexitOnReplica: 1\n")
    const ran = await runCli(home, [
      ...g,
      "run",
      "--model",
      "linear",
      "--table",
      "points",
      "--output",
      "@ML.PUBLIC.RESULTS/killed/",
      "--replicas",
      "2",
      "--wait",
      ...plugin
    ])
    expect(ran.code).toBe(1)
    expect(ran.stdout).toMatch(/FAILED: .*[Rr]eplica 1.*SIGKILL/)
    expect(existsSync(join(stageDir(home, "RESULTS"), "killed", "_SUCCESS"))).toBe(false)
    // `jobs ls` gives its message in the CLI's words, as `jobs status` does.
    const listed = await runCli(home, [...g, "--json", "jobs", "ls"])
    const [job] = JSON.parse(listed.stdout) as Array<{ readonly message: string }>
    expect(job!.message).toMatch(/runbatch jobs logs \S+ --instance 1/)
    expect(job!.message).not.toMatch(/getLogs/)
  })
})
