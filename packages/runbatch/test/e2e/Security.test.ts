/**
 * Security (issue W1-7 item 5), through the facade on one home whose own path holds quotes, a
 * semicolon and a SQL comment, so every statement that embeds a path is tested too:
 *
 * - stage paths never leave their stage: traversal strings, and symbolic links planted in a stage,
 *   through every reader and writer besides StageStore (DuckDB's parquet reader, listStageFiles, the
 *   replica reading file columns, the output preflight, the results reader, `stage get`/`stage put`),
 *   and hostile names as folder names (stage-io's own tests cover every StageStore operation);
 * - no symbolic link below the home is followed, whichever folder of a stage, a model version or a
 *   job is the link, through the `runbatch` command (`stage rm/ls/get/put`, `results`, `model show`,
 *   `jobs rm/status/logs/ls`, `run`), while a home that is itself a link works;
 * - hostile names (tables, columns, models, versions, stages, jobs, params, comments) stay one
 *   identifier or one value in the SQL, YAML and JSON runbatch writes: proved by running a job through
 *   them and parsing what was written;
 * - a secret in the environment reaches no file a job writes and no message.
 *
 * (Plugins loading only from the declared list: packages/plugin-host/test/DeclaredPlugins.test.ts.)
 */
import { createHash, randomBytes } from "node:crypto"
import {
  cpSync,
  existsSync,
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
import { dirname, join, relative, sep } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { listStageFiles } from "@runbatch/session"
import { Identifier, JobFile, JobPlan, LocalLayout, Signature } from "@runbatch/spec"
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

describe("no symbolic link below the home is followed, through the runbatch command", () => {
  /**
   * A home outside the homes under test, with what each link stands for: a stage S holding
   * sub/secret.txt and a finished job's results under sub/out/ (job J), the model LINEAR and the
   * database ML. Each home under test links one of its folders to the same folder here; nothing here
   * may change.
   */
  let outside: string
  const g = ["--database", "ML", "--schema", "PUBLIC"]

  /** Every file under `outside`, with its sha256. */
  const canary = (): Record<string, string> =>
    Object.fromEntries(
      filesUnder(outside).map((file) => [
        file,
        createHash("sha256")
          .update(readFileSync(join(outside, file)))
          .digest("hex")
      ])
    )

  /** A new home named `name` whose folder `parts` is a link to the same folder of `outside`. */
  const linkedHome = (name: string, parts: ReadonlyArray<string>, copy = false): string => {
    const linked = join(root, name)
    // A copy of everything else, when a command needs the rest of the account (a model, a table).
    if (copy) cpSync(outside, linked, { recursive: true, filter: (src) => src !== join(outside, parts[0]!) })
    const path = join(linked, ...parts)
    mkdirSync(dirname(path), { recursive: true })
    symlinkSync(join(outside, ...parts), path)
    return linked
  }

  const cli = async (at: string, args: ReadonlyArray<string>) => {
    const ran = await runCli(at, [...g, ...args])
    messages.push(ran.stdout, ran.stderr)
    return ran
  }

  const refused = (ran: { code: number; stderr: string }, text: string, what: string) => {
    expect(ran.code, `${what}: ${ran.stderr}`).not.toBe(0)
    expect(ran.stderr, what).toContain(text)
  }

  beforeAll(async () => {
    outside = join(root, "outside-home")
    const other = Session.local({ home: outside, database: "ML", schema: "PUBLIC" })
    try {
      await other.registry.logModel({
        name: "LINEAR",
        version: "V1",
        engine: TestEngine.id,
        signatures: {
          predict: Signature.signature([f("x", "DOUBLE"), f("z", "DOUBLE")], [f("y", "DOUBLE")])
        },
        engineOptions: { weights: [2, -1] }
      })
      await other.stages.write("@ML.PUBLIC.S/sub/secret.txt", new TextEncoder().encode("outside"))
      const job = await other.runBatch({
        model: "LINEAR",
        input: other.query("SELECT 1.0 AS x, 2.0 AS z"),
        outputSpec: { stageLocation: "@ML.PUBLIC.S/sub/out/" },
        jobSpec: { jobName: "J", numWorkers: 1, block: true },
        plugins,
        cpus: 1
      })
      expect(await job.status()).toBe("DONE")
    } finally {
      await other.close()
    }
  }, 120_000)

  const stageChain = ["stages", "ML", "PUBLIC", "S", "sub"]
  it.each([1, 2, 3, 4, 5])(
    "stage rm, ls, get, put and results, with stages/ML/PUBLIC/S/sub linked out at depth %i",
    async (depth) => {
      const before = canary()
      const linked = linkedHome(`stage-link-${depth}`, stageChain.slice(0, depth))
      const link = `${stageChain.slice(0, depth).join("/")} is a symbolic link`
      const rm = await cli(linked, ["stage", "rm", "@ML.PUBLIC.S/"])
      // Inside the stage, a link is not a stage file: removing the stage removes nothing.
      if (depth <= 4) refused(rm, link, "stage rm")
      else expect(rm.stdout).toContain("Removed 0 file(s)")
      refused(
        await cli(linked, ["stage", "ls", "@ML.PUBLIC.S/sub/"]),
        "resolves outside its stage",
        "stage ls"
      )
      const local = join(linked, "got")
      refused(
        await cli(linked, ["stage", "get", "@ML.PUBLIC.S/sub/", local]),
        "resolves outside",
        "stage get"
      )
      expect(existsSync(local) ? filesUnder(local) : []).toEqual([])
      writeFileSync(join(linked, "planted.txt"), "planted")
      refused(
        await cli(linked, ["stage", "put", join(linked, "planted.txt"), "@ML.PUBLIC.S/sub/"]),
        "resolves outside its stage",
        "stage put"
      )
      refused(
        await cli(linked, ["results", "@ML.PUBLIC.S/sub/out/"]),
        "resolves outside its stage",
        "results"
      )
      expect(canary()).toEqual(before)
    }
  )

  const modelChain = ["registry", "ML", "PUBLIC", "LINEAR", "versions", "V1"]
  it.each([1, 2, 3, 4, 5, 6])("model show, with the model's path linked out at depth %i", async (depth) => {
    const before = canary()
    const linked = linkedHome(`model-link-${depth}`, modelChain.slice(0, depth))
    const shown = await cli(linked, ["model", "show", "LINEAR", "--version", "V1"])
    // A version folder that is a link is not a version: the model has none.
    if (depth <= 5) refused(shown, `${modelChain.slice(0, depth).join("/")} is a symbolic link`, "model show")
    else refused(shown, "ML.PUBLIC.LINEAR", "model show")
    const listed = await cli(linked, ["model", "ls"])
    if (depth <= 3) refused(listed, "is a symbolic link", "model ls")
    else expect(listed.stdout).not.toMatch(/^LINEAR /m)
    expect(canary()).toEqual(before)
  })

  const jobChain = ["jobs", "ML", "PUBLIC", "J"]
  it.each([1, 2, 3, 4])(
    "jobs rm, status, logs and ls, with the job's path linked out at depth %i",
    async (depth) => {
      const before = canary()
      const linked = linkedHome(`job-link-${depth}`, jobChain.slice(0, depth))
      const link = `${jobChain.slice(0, depth).join("/")} is a symbolic link`
      for (const command of ["status", "logs", "rm"]) {
        refused(await cli(linked, ["jobs", command, "ML.PUBLIC.J"]), link, `jobs ${command}`)
      }
      const listed = await cli(linked, ["jobs", "ls"])
      if (depth === 1) refused(listed, link, "jobs ls")
      else expect(listed.stdout).not.toMatch(/^J /m)
      expect(canary()).toEqual(before)
    }
  )

  it("run launches no job through a jobs/ folder linked out of the home", async () => {
    const before = canary()
    const linked = linkedHome("run-link", ["jobs"], true)
    const ran = await cli(linked, [
      "run",
      "--model",
      "LINEAR",
      "--query",
      "SELECT 1.0 AS x, 2.0 AS z",
      "--output",
      "@ML.PUBLIC.OUT/x/",
      "--job-name",
      "J2",
      "--plugin",
      TestEngine.packageDir,
      "--wait"
    ])
    refused(ran, "jobs is a symbolic link", "run")
    expect(canary()).toEqual(before)
  })

  it("a home that is itself a symbolic link works, and its files land in the real folder", async () => {
    const link = join(root, "home-link")
    symlinkSync(home, link)
    writeFileSync(join(root, "via-link.txt"), "via the link")
    const steps = [
      ["stage", "put", join(root, "via-link.txt"), "@ML.PUBLIC.VIA_LINK/"],
      ["stage", "ls", "@ML.PUBLIC.VIA_LINK/"],
      ["stage", "get", "@ML.PUBLIC.VIA_LINK/", join(root, "via-link-got")],
      ["model", "show", "LINEAR"],
      ["jobs", "ls"]
    ]
    for (const args of steps) {
      const ran = await cli(link, args)
      expect(ran.code, `${args.join(" ")}: ${ran.stderr}`).toBe(0)
    }
    expect(readFileSync(join(stage("VIA_LINK"), "via-link.txt"), "utf8")).toBe("via the link")
    expect(filesUnder(join(root, "via-link-got"))).toEqual(["via-link.txt"])
    const removed = await cli(link, ["stage", "rm", "@ML.PUBLIC.VIA_LINK/"])
    expect(removed.stdout).toContain("Removed 1 file(s)")
    expect(existsSync(join(stage("VIA_LINK"), "via-link.txt"))).toBe(false)
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
