/**
 * Security (issue W1-7 item 5), through the facade on one home whose own path holds quotes, a
 * semicolon and a SQL comment, so every statement that embeds a path is tested too:
 *
 * - stage paths never leave their stage: traversal strings, and symbolic links planted in a stage,
 *   through every reader and writer besides StageStore (DuckDB's parquet reader, listStageFiles, the
 *   replica reading file columns, the output preflight, the results reader, `stage get`/`stage put`),
 *   and hostile names as folder names (stage-io's own tests cover every StageStore operation);
 * - hostile names (tables, columns, models, versions, stages, jobs, params, comments) stay one
 *   identifier or one value in the SQL, YAML and JSON runbatch writes: proved by running a job through
 *   them and parsing what was written;
 * - a secret in the environment reaches no file a job writes and no message.
 *
 * (Plugins loading only from the declared list: packages/plugin-host/test/DeclaredPlugins.test.ts.)
 */
import { randomBytes } from "node:crypto"
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, sep } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Identifier, JobFile, JobPlan, LocalLayout, Signature } from "@runbatch/spec"
import { listStageFiles } from "@runbatch/stage-io"
import { TestEngine } from "@runbatch/testkit"
import type * as Arrow from "apache-arrow"
import { Effect } from "effect"
import * as Yaml from "yaml"
import { Session } from "../../src/index.ts"
import { runCli } from "../cli.ts"

const f = Signature.feature
const SECRET_VAR = "RUNBATCH_SECURITY_TEST_TOKEN"
const secret = `sk-${randomBytes(24).toString("hex")}`
const plugins = [TestEngine.packageDir]

let root: string
let home: string
let session: Session
/** Every error message and job message seen, for the secret check at the end. */
const messages: Array<string> = []

const stage = (name: string) => LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: name })
const sql = (text: string) => `'${text.replace(/'/g, "''")}'`

const failure = async (promise: Promise<unknown>): Promise<{ _tag: string; message: string }> => {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as { _tag: string; message: string }
  )
  expect(outcome, "refused").toBeDefined()
  messages.push(outcome!.message)
  return outcome!
}

/** Every file under `dir` (following no links), as paths relative to it. */
const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()

const rowsOf = (table: Arrow.Table): Array<Record<string, unknown>> =>
  table.toArray().map((row) => (row as { toJSON(): Record<string, unknown> }).toJSON())

beforeAll(async () => {
  // Set before any job starts: supervisors and replicas inherit the environment.
  process.env[SECRET_VAR] = secret
  root = mkdtempSync(join(tmpdir(), "runbatch-security-"))
  home = join(root, `home it's "odd"; -- x`)
  mkdirSync(home)
  session = Session.local({ home, database: "ML", schema: "PUBLIC" })
  await session.registry.logModel({
    name: "LINEAR",
    version: "V1",
    engine: TestEngine.id,
    signatures: { predict: Signature.signature([f("x", "DOUBLE"), f("z", "DOUBLE")], [f("y", "DOUBLE")]) },
    // The way a secret reaches an engine: by the name of the variable that holds it, never its value.
    engineOptions: { weights: [2, -1], apiKeyEnv: SECRET_VAR }
  })
  await session.registry.logModel({
    name: "BYTES",
    version: "V1",
    engine: TestEngine.id,
    signatures: { predict: Signature.signature([f("data", "BYTES")], [f("bytes", "INT64")]) }
  })
}, 60_000)

afterAll(async () => {
  delete process.env[SECRET_VAR]
  await session?.close()
  rmSync(root, { recursive: true, force: true })
})

describe("stage paths never leave their stage", () => {
  let outside: string
  const outsideFiles = () => filesUnder(outside)

  beforeAll(async () => {
    // Outside the stages: a parquet file, a binary, and a complete-looking job output.
    outside = join(home, "outside")
    mkdirSync(join(outside, "results"), { recursive: true })
    await session.sql.execute(
      `COPY (SELECT 'outside' AS WHERE_FROM, 1.0 AS X, 1.0 AS Z) TO ${sql(join(outside, "secret.parquet"))} (FORMAT parquet)`
    )
    writeFileSync(join(outside, "secret.bin"), "outside bytes")
    await session.sql.execute(
      `COPY (SELECT 'outside' AS WHERE_FROM) TO ${sql(join(outside, "results", "part-000000-1.parquet"))} (FORMAT parquet)`
    )
    writeFileSync(join(outside, "results", "_SUCCESS"), "")
    // A stage FILES with one real parquet file, and links out: a file, a folder, a binary.
    const files = stage("FILES")
    mkdirSync(files, { recursive: true })
    await session.sql.execute(
      `COPY (SELECT 'inside' AS WHERE_FROM, 2.0 AS X, 2.0 AS Z) TO ${sql(join(files, "inside.parquet"))} (FORMAT parquet)`
    )
    symlinkSync(join(outside, "secret.parquet"), join(files, "leak.parquet"))
    symlinkSync(join(outside, "secret.bin"), join(files, "leak.bin"))
    symlinkSync(outside, join(files, "linkdir"))
  })

  it("DuckDB's parquet reader reads only the stage's own files", async () => {
    const rows = rowsOf(await (await session.sql.readParquet("@ML.PUBLIC.FILES/")).collect())
    expect(rows.map((r) => r["WHERE_FROM"])).toEqual(["inside"])
    for (const location of ["@ML.PUBLIC.FILES/leak.parquet", "@ML.PUBLIC.FILES/linkdir/"]) {
      expect((await failure(session.sql.readParquet(location)))._tag, location).toBe("StageFileError")
    }
  })

  it("listStageFiles lists no link out of the stage", async () => {
    const listed = await session.run(
      Effect.flatMap(listStageFiles("@ML.PUBLIC.FILES/"), (relation) => relation.collect())
    )
    expect(rowsOf(listed).map((r) => r["FILE_PATH"])).toEqual(["@ML.PUBLIC.FILES/inside.parquet"])
  })

  it("a job never reads a file column's path through a link out of the stage", async () => {
    const job = await session.runBatch({
      model: "BYTES",
      input: session.query("SELECT '@ML.PUBLIC.FILES/leak.bin' AS data"),
      inputSpec: { columnHandling: { DATA: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } },
      outputSpec: { stageLocation: "@ML.PUBLIC.OUT/leak/" },
      jobSpec: { numWorkers: 1, block: true },
      plugins,
      cpus: 1
    })
    const row = await job.describe()
    messages.push(row.message)
    expect(row.status).toBe("FAILED")
    expect(row.message).toContain("RowFailed")
    expect(row.message).toContain("resolves outside its stage")
    expect(filesUnder(join(stage("OUT"), "leak")).filter((p) => !p.startsWith("_runbatch"))).toEqual([])
  })

  it("a job never writes its output through a link out of the stage", async () => {
    const before = outsideFiles()
    const refused = await failure(
      session.runBatch({
        model: "LINEAR",
        input: session.query("SELECT 1.0 AS x, 2.0 AS z"),
        outputSpec: { stageLocation: "@ML.PUBLIC.FILES/linkdir/out/", mode: "overwrite" },
        plugins
      })
    )
    expect(refused._tag).toBe("StageFileError")
    expect(refused.message).toContain("resolves outside its stage")
    expect(outsideFiles()).toEqual(before)
  })

  it("the results reader never reads an output through a link out of the stage", async () => {
    const refused = await failure(session.readResults("@ML.PUBLIC.FILES/linkdir/results/"))
    expect(refused._tag).toBe("StageFileError")
  })

  it("stage get copies no link out of the stage; stage put writes nothing through one", async () => {
    const before = outsideFiles()
    const local = join(root, "got")
    const got = await runCli(home, ["stage", "get", "@ML.PUBLIC.FILES/", local])
    messages.push(got.stdout, got.stderr)
    expect(got.code, got.stderr).toBe(0)
    expect(filesUnder(local)).toEqual(["inside.parquet"])
    writeFileSync(join(root, "planted.txt"), "planted")
    const put = await runCli(home, ["stage", "put", join(root, "planted.txt"), "@ML.PUBLIC.FILES/linkdir/"])
    messages.push(put.stdout, put.stderr)
    expect(put.code).not.toBe(0)
    expect(put.stderr).toContain("resolves outside its stage")
    expect(outsideFiles()).toEqual(before)
  })

  it.each([
    "@ML.PUBLIC.FILES/../OTHER/x",
    "@ML.PUBLIC.FILES/%2e%2e/x",
    "@ML.PUBLIC.FILES/a%2f..%2f..%2fx",
    "@ML.PUBLIC.FILES/a\\..\\x",
    "/etc/passwd",
    "file:///etc/passwd"
  ])("%s is refused by every entry point, before anything is read or written", async (location) => {
    const before = filesUnder(home)
    const attempts: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
      ["readParquet", () => session.sql.readParquet(location)],
      ["readResults", () => session.readResults(location)],
      ["stages.write", () => session.stages.write(location, new Uint8Array([1]))],
      ["stages.list", () => session.stages.list(location)],
      [
        "runBatch files",
        () =>
          session.runBatch({
            model: "LINEAR",
            input: session.listStageFiles(location),
            outputSpec: { stageLocation: "@ML.PUBLIC.OUT/x/" },
            plugins
          })
      ],
      [
        "runBatch output",
        () =>
          session.runBatch({
            model: "LINEAR",
            input: session.table("NONE"),
            outputSpec: { baseStageLocation: location },
            plugins
          })
      ]
    ]
    for (const [what, attempt] of attempts) {
      const refused = await failure(attempt())
      expect(["InvalidStageLocation", "InvalidSpec"], `${what}: ${refused.message}`).toContain(refused._tag)
    }
    expect(filesUnder(home)).toEqual(before)
  })

  it("names that spell paths stay one folder of their own area of the home", async () => {
    const climbing = '"../../.."'
    const beside = readdirSync(root).sort()
    await session.stages.write(`@${climbing}.${climbing}.${climbing}/f.txt`, new TextEncoder().encode("x"))
    await session.sql.createTable(`${climbing}.PUBLIC.T`, {
      kind: "relation",
      relation: await session.sql.sql("SELECT 1 AS A")
    })
    await session.registry.logModel({
      name: `ML.PUBLIC.${climbing}`,
      version: climbing,
      engine: TestEngine.id,
      signatures: { predict: Signature.signature([f("x", "DOUBLE")], [f("y", "DOUBLE")]) }
    })
    const job = await session.runBatch({
      model: "LINEAR",
      input: session.query("SELECT 1.0 AS x, 2.0 AS z"),
      outputSpec: { stageLocation: "@ML.PUBLIC.OUT/climb/" },
      jobSpec: { jobName: `ML.PUBLIC.${climbing}`, numWorkers: 1, block: true },
      plugins,
      cpus: 1
    })
    expect(await job.status()).toBe("DONE")
    // Nothing appeared beside the home; each name is one percent-encoded folder of its area.
    expect(readdirSync(root).sort()).toEqual(beside)
    const encoded = "%2E%2E%2F%2E%2E%2F%2E%2E"
    expect(statSync(join(home, "stages", encoded, encoded, encoded, "f.txt")).isFile()).toBe(true)
    expect(statSync(join(home, "warehouse", `${encoded}.duckdb`)).isFile()).toBe(true)
    expect(statSync(join(home, "registry", "ML", "PUBLIC", encoded, "versions", encoded)).isDirectory()).toBe(
      true
    )
    expect(statSync(join(home, "jobs", "ML", "PUBLIC", encoded, "job.json")).isFile()).toBe(true)
    for (const path of filesUnder(home)) expect(path.split(sep)).not.toContain("..")
  })
})

/**
 * Snowflake's reading of the single-quoted string literal that `text` starts with (backslash escapes,
 * doubled quotes): its value and what follows it.
 */
const readSnowflakeLiteral = (text: string): { readonly value: string; readonly rest: string } => {
  expect(text[0], text).toBe("'")
  const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "0": "\0" }
  let value = ""
  for (let i = 1; i < text.length; i++) {
    const char = text[i]!
    if (char === "\\") {
      const next = text[++i]!
      value += escapes[next] ?? next
    } else if (char === "'" && text[i + 1] === "'") {
      value += "'"
      i++
    } else if (char === "'") return { value, rest: text.slice(i + 1) }
    else value += char
  }
  throw new Error(`an unterminated literal: ${text}`)
}

describe("hostile names stay one identifier, one value, in every SQL, YAML and JSON text runbatch writes", () => {
  const hostile = {
    table: 'T"; DROP TABLE DECOY; --',
    x: 'x"); DROP TABLE DECOY; --',
    z: "z'); DROP TABLE DECOY; --",
    y: 'y"\n---\nfoo: [bar]',
    model: "M'; DROP TABLE DECOY; --",
    version: 'V1"\n- &a [*a]',
    stage: "S'; DROP TABLE DECOY; --",
    folder: `out'; DROP TABLE DECOY; -- "q"`,
    job: 'J"\n---\n{"status": "DONE"}\'; DROP TABLE DECOY; --',
    note: "'); DROP TABLE DECOY; --\n---\n\"}{ \\'",
    key: "k\\'); DROP TABLE DECOY; --",
    comment: '#\n---\nmodel: EVIL\n...\n{"a":'
  }
  const q = Identifier.quote
  const model = `ML.PUBLIC.${q(hostile.model)}`
  const output = `@ML.PUBLIC.${q(hostile.stage)}/${hostile.folder}/`
  const params = [
    Signature.param("note", "STRING", hostile.note),
    Signature.paramGroup("opts", [Signature.param(hostile.key, "STRING", hostile.note)])
  ]

  beforeAll(async () => {
    await session.sql.createTable("DECOY", {
      kind: "relation",
      relation: await session.sql.sql("SELECT range AS N FROM range(3)")
    })
    await session.sql.createTable(`ML.PUBLIC.${q(hostile.table)}`, {
      kind: "relation",
      relation: await session.sql.createDataFrame(
        [0, 1, 2, 3].map((i) => ({ [hostile.x]: i, [hostile.z]: i / 2 })),
        [f(hostile.x, "DOUBLE"), f(hostile.z, "DOUBLE")]
      )
    })
    await session.registry.logModel({
      name: model,
      version: q(hostile.version),
      engine: TestEngine.id,
      signatures: {
        predict: Signature.signature(
          [f(hostile.x, "DOUBLE"), f(hostile.z, "DOUBLE")],
          [f(hostile.y, "DOUBLE")],
          params
        )
      },
      engineOptions: { weights: [2, -1] },
      comment: hostile.comment
    })
  })

  const decoyIntact = async () =>
    expect(rowsOf(await session.sql.query("SELECT COUNT(*)::INTEGER AS N FROM DECOY"))).toEqual([{ N: 3 }])

  it("a job runs through them: the decoy table survives, results and records hold them exactly", async () => {
    const job = await session.runBatch({
      model,
      version: q(hostile.version),
      input: session.table(`ML.PUBLIC.${q(hostile.table)}`),
      inputSpec: { params: { note: hostile.note } },
      outputSpec: { stageLocation: output },
      jobSpec: { jobName: `ML.PUBLIC.${q(hostile.job)}`, numWorkers: 1, block: true },
      plugins,
      cpus: 1
    })
    const row = await job.describe()
    messages.push(row.message)
    expect(row.status, row.message).toBe("DONE")
    await decoyIntact()
    expect(await session.sql.listTables()).toContain(`ML.PUBLIC.${q(hostile.table)}`)

    const results = await session.readResults(output)
    expect(results.schema.fields.map((field) => field.name)).toEqual([hostile.x, hostile.z, hostile.y])
    for (const r of rowsOf(results)) {
      expect(r[hostile.y]).toBeCloseTo(2 * Number(r[hostile.x]) - Number(r[hostile.z]), 10)
    }

    // JSON records: the job's, and the output's manifest.
    const record = JSON.parse(
      readFileSync(
        join(LocalLayout.jobDir(home, { database: "ML", schema: "PUBLIC", name: hostile.job }), "job.json"),
        "utf8"
      )
    )
    expect(record.name).toBe(hostile.job)
    expect((await session.jobs.listJobs({ limit: 1000 })).map((j) => j.name)).toContain(hostile.job)
    const manifest = JSON.parse(
      new TextDecoder().decode(await session.stages.readBytes(`${output}_manifest.json`))
    )
    expect(manifest.job_info.model).toEqual({
      database: "ML",
      schema: "PUBLIC",
      name: hostile.model,
      version: hostile.version
    })
    expect(manifest.schema.map((field: { name: string }) => field.name)).toEqual([
      hostile.x,
      hostile.z,
      hostile.y
    ])

    // The registry's YAML and JSON: one document each, every name and value exactly as given.
    const version = LocalLayout.versionDir(
      home,
      { database: "ML", schema: "PUBLIC", name: hostile.model },
      hostile.version
    )
    const oneDocument = (file: string) => {
      const docs = Yaml.parseAllDocuments(readFileSync(join(version, file), "utf8"))
      expect(docs, file).toHaveLength(1)
      expect(docs[0]!.errors, file).toEqual([])
      return docs[0]!.toJS() as unknown
    }
    const spec = oneDocument("model/model.yaml") as {
      signatures: { predict: { inputs: Array<{ name: string }>; outputs: Array<{ name: string }> } }
    }
    expect(spec.signatures.predict.inputs.map((i) => i.name)).toEqual([hostile.x, hostile.z])
    expect(spec.signatures.predict.outputs.map((o) => o.name)).toEqual([hostile.y])
    const methods = (
      oneDocument("MANIFEST.yml") as { methods: Array<{ params: Array<{ default: string }> }> }
    ).methods
    // Param defaults are SQL that Snowflake evaluates when the model is created from the stage.
    const [note, opts] = methods[0]!.params
    expect(readSnowflakeLiteral(note!.default)).toEqual({ value: hostile.note, rest: "" })
    expect(opts!.default.startsWith("OBJECT_CONSTRUCT_KEEP_NULL(")).toBe(true)
    const key = readSnowflakeLiteral(opts!.default.slice("OBJECT_CONSTRUCT_KEEP_NULL(".length))
    expect(key.value).toBe(hostile.key)
    const value = readSnowflakeLiteral(key.rest.slice(", ".length))
    expect(value).toEqual({ value: hostile.note, rest: ")" })
    expect(JSON.parse(readFileSync(join(version, "version.json"), "utf8")).comment).toBe(hostile.comment)
  })

  it("a failed job's plan holds them exactly", async () => {
    const job = await session.runBatch({
      model,
      version: q(hostile.version),
      input: session.table(`ML.PUBLIC.${q(hostile.table)}`),
      inputSpec: { params: { note: hostile.note, opts: { [hostile.key]: hostile.job } } },
      outputSpec: { stageLocation: `${output}failed/` },
      jobSpec: { jobName: q(`${hostile.job} 2`), numWorkers: 1, block: true },
      inferenceEngineOptions: { options: { weights: [2, -1], fatalWhen: { feature: hostile.x, equals: 0 } } },
      plugins,
      cpus: 1
    })
    const row = await job.describe()
    messages.push(row.message)
    expect(row.status).toBe("FAILED")
    await decoyIntact()
    const planText = new TextDecoder().decode(await session.stages.readBytes(job.handle.request.planLocation))
    const plan = await Effect.runPromise(JobPlan.parse(planText, "plan.json"))
    expect(plan.job.name).toBe(`${hostile.job} 2`)
    expect(plan.params).toEqual({ note: hostile.note, opts: { [hostile.key]: hostile.job } })
    expect(plan.columnMapping.map((m) => m.feature)).toEqual([hostile.x, hostile.z])
    expect(plan.outputSchema.map((o) => o.name)).toEqual([hostile.y])
    expect(plan.model).toMatchObject({ name: hostile.model, version: hostile.version })
    expect(plan.output.location).toBe(`${output}failed/`)
  })

  it("DuckDB reads each quoted name as one identifier", async () => {
    for (const name of Object.values(hostile)) {
      const table = await session.sql.query(`SELECT 42 AS ${q(name)}, 7 AS "after"`)
      expect(table.schema.fields.map((field) => field.name)).toEqual([name, "after"])
      expect(rowsOf(table)).toEqual([{ [name]: 42, after: 7 }])
    }
    await decoyIntact()
  })

  it("a job file written from them reads back as the same job", async () => {
    const job: JobFile.JobDefinition = {
      model,
      version: q(hostile.version),
      source: { kind: "table", table: `ML.PUBLIC.${q(hostile.table)}` },
      inputSpec: { params: { note: hostile.note, [hostile.key]: hostile.comment } },
      outputSpec: { stageLocation: output },
      jobSpec: { jobName: `ML.PUBLIC.${q(hostile.job)}`, functionName: "predict" }
    }
    for (const text of [JobFile.toYaml(job), JobFile.toJson(job)]) {
      expect(await Effect.runPromise(JobFile.parse(text))).toEqual(job)
    }
  })
})

describe("a secret in the environment reaches no file and no message", () => {
  it("is absent from every file of the home and every message, after jobs that succeeded, failed and were refused", async () => {
    // A job whose engine options name the variable (the way engines take secrets), through the CLI.
    const g = ["--database", "ML", "--schema", "PUBLIC"]
    const ran = await runCli(home, [
      ...g,
      "--json",
      "run",
      "--model",
      "LINEAR",
      "--query",
      "SELECT 1.0 AS x, 2.0 AS z",
      "--output",
      "@ML.PUBLIC.OUT/secret/",
      "--engine-option",
      `apiKeyEnv=${SECRET_VAR}`,
      "--workers",
      "1",
      "--plugin",
      TestEngine.packageDir,
      "--wait"
    ])
    messages.push(ran.stdout, ran.stderr)
    expect(ran.code, ran.stderr).toBe(0)
    const refused = await runCli(home, [
      ...g,
      "--json",
      "run",
      "--model",
      "LINEAR",
      "--table",
      "NOPE",
      "--output",
      "@ML.PUBLIC.OUT/x/"
    ])
    messages.push(refused.stdout, refused.stderr)
    expect(refused.code).toBe(2)

    // Every job's message and every replica's log.
    for (const row of await session.jobs.listJobs({ limit: 1000 })) {
      const job = await session.jobs.getJob(
        `${row.databaseName}.${row.schemaName}.${Identifier.format(row.name)}`
      )
      messages.push(row.message)
      for (let instance = 0; instance < job.targetInstances; instance++) {
        messages.push(await job.getLogs({ instance }))
      }
    }
    expect(messages.length).toBeGreaterThan(10)
    for (const message of messages) expect(message).not.toContain(secret)

    // Every file: plans, job records and logs, manifests, parts, registry, databases, local copies.
    const planted = Buffer.from(secret)
    const files = filesUnder(root)
    expect(files.some((file) => file.endsWith("plan.json"))).toBe(true)
    expect(files.some((file) => file.endsWith("_manifest.json"))).toBe(true)
    expect(files.some((file) => file.endsWith(join("logs", "replica-0.log")))).toBe(true)
    for (const file of files) expect(readFileSync(join(root, file)).includes(planted), file).toBe(false)
    expect(secret.length).toBeGreaterThan(40)
  })
})
