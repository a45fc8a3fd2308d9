/**
 * The one home every corpus case runs against: tables, model versions, stage files and plugin
 * packages that are each wrong (or right) in exactly one way, a finished job and a running one. Built
 * once per test file; cases only read it, so they can share it (the runner checks that none writes).
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { isTerminal, type JobHandlePromise } from "@runbatch/spcs-launcher"
import { LocalLayout, Signature } from "@runbatch/spec"
import { OnnxModels, TestEngine, TextLines } from "@runbatch/testkit"
import { Session } from "../../src/index.ts"

export interface Fixture {
  readonly home: string
  readonly session: Session
  /** Plugin package folders, each broken in one way (see `pluginPackages`). */
  readonly plugins: Readonly<Record<keyof typeof pluginPackages, string>>
  /** A job that ended DONE: its name is taken and its output holds results. */
  readonly done: JobHandlePromise
  /** A job that runs until the corpus ends: its output is claimed. */
  readonly busy: JobHandlePromise
}

export const DATABASE = "ML"
export const SCHEMA = "PUBLIC"

/** Beside the home: what the fixture's symbolic links out of the home point to. */
const outsideOf = (home: string): string => `${home}-outside`

export const stageDir = (home: string, stage: string): string =>
  LocalLayout.stageDir(home, { database: DATABASE, schema: SCHEMA, stage })

/** 20 rows of ID, X, Z. */
const pointsCsv = ["id,x,z", ...Array.from({ length: 20 }, (_, i) => `${i},${i * 0.5},${(i % 7) - 3}`)].join(
  "\n"
)

const f = Signature.feature
const p = Signature.param

/** Model versions on the test engine (`test-linear`) unless noted, each serving some cases. */
const testEngineModels: ReadonlyArray<{
  readonly name: string
  readonly signatures: Record<string, Signature.ModelSignature>
  readonly functionKinds?: Record<string, "FUNCTION" | "TABLE_FUNCTION">
  readonly engineOptions?: Record<string, number | ReadonlyArray<number>>
}> = [
  {
    name: "LINEAR",
    signatures: { predict: Signature.signature([f("x", "DOUBLE"), f("z", "DOUBLE")], [f("y", "DOUBLE")]) },
    engineOptions: { weights: [2, -1], bias: 0.25 }
  },
  {
    // Every kind of param: scalars of each type, shapes, a timestamp and a nested dict.
    name: "PARAMS",
    signatures: {
      predict: Signature.signature(
        [f("x", "DOUBLE"), f("z", "DOUBLE")],
        [f("y", "DOUBLE")],
        [
          p("temperature", "FLOAT", 0.5),
          p("max_tokens", "INT64", 100),
          p("top_k", "INT8", 5),
          p("greedy", "BOOL", false),
          p("stop", "STRING", [], { shape: [-1] }),
          p("window", "INT64", [1, 2], { shape: [2] }),
          p("grid", "DOUBLE", [[0, 0]], { shape: [-1, 2] }),
          p("since", "TIMESTAMP_NTZ", null),
          Signature.paramGroup("config", [
            p("seed", "INT64", 7),
            Signature.paramGroup("sampling", [p("top_p", "FLOAT", 0.9)])
          ])
        ]
      )
    }
  },
  {
    name: "MULTI",
    signatures: {
      predict: Signature.signature([f("x", "DOUBLE"), f("z", "DOUBLE")], [f("y", "DOUBLE")]),
      explain: Signature.signature([f("x", "DOUBLE"), f("z", "DOUBLE")], [f("y", "DOUBLE")])
    }
  },
  {
    name: "TABLEFN",
    signatures: {
      predict: Signature.signature(
        [f("x", "DOUBLE"), f("z", "DOUBLE")],
        [f("y", "DOUBLE"), f("region", "STRING")]
      )
    },
    functionKinds: { predict: "TABLE_FUNCTION" }
  },
  {
    name: "NARROW",
    signatures: { predict: Signature.signature([f("small", "INT8"), f("z", "DOUBLE")], [f("y", "DOUBLE")]) }
  },
  {
    name: "VEC",
    signatures: { predict: Signature.signature([f("v", "FLOAT", { shape: [3] })], [f("y", "DOUBLE")]) }
  },
  {
    // The length of the file a column names (the test engine's `bytes` output).
    name: "BYTES",
    signatures: { predict: Signature.signature([f("data", "BYTES")], [f("bytes", "INT64")]) }
  }
]

/** Plugin packages that are each wrong in one way (folders under `<home>/plugins/`). */
export const pluginPackages = {
  noManifest: { name: "runbatch-engine-nomanifest", version: "1.0.0", type: "module", exports: "./index.js" },
  badKind: {
    name: "runbatch-engine-badkind",
    version: "1.0.0",
    type: "module",
    exports: "./index.js",
    runbatch: { kind: "decoder", id: "badkind", apiVersion: 1, handles: { functionKinds: ["FUNCTION"] } }
  },
  futureApi: {
    name: "runbatch-engine-future",
    version: "1.0.0",
    type: "module",
    exports: "./index.js",
    runbatch: { kind: "engine", id: "future", apiVersion: 99, handles: { functionKinds: ["FUNCTION"] } }
  },
  oldPeer: {
    name: "runbatch-engine-oldpeer",
    version: "1.0.0",
    type: "module",
    exports: "./index.js",
    runbatch: { kind: "engine", id: "oldpeer", apiVersion: 1, handles: { functionKinds: ["FUNCTION"] } },
    peerDependencies: { "@runbatch/plugin-api": "^9.0.0" }
  },
  // Its code says another id than its manifest: refused once loaded, before it runs anything.
  liar: {
    name: "runbatch-engine-liar",
    version: "1.0.0",
    type: "module",
    exports: "./index.js",
    runbatch: { kind: "engine", id: "liar", apiVersion: 1, handles: { functionKinds: ["FUNCTION"] } }
  },
  // A second package claiming the test engine's id.
  twin: {
    name: "runbatch-engine-twin",
    version: "1.0.0",
    type: "module",
    exports: "./index.js",
    runbatch: { kind: "engine", id: "test-linear", apiVersion: 1, handles: { functionKinds: ["FUNCTION"] } }
  }
} as const

const liarCode = `export default { kind: "engine", id: "someone-else", apiVersion: 1, prepare: () => undefined, open: () => undefined }\n`

/** Wait until `check` holds (a job reached a state), polling. */
const until = async (check: () => Promise<boolean>, what: string, timeoutMillis = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMillis
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export const makeFixture = async (): Promise<Fixture> => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-corpus-"))
  const session = Session.local({ home, database: DATABASE, schema: SCHEMA })
  const local = (name: string, content: string | Uint8Array) => {
    mkdirSync(join(home, "local"), { recursive: true })
    const path = join(home, "local", name)
    writeFileSync(path, content)
    return path
  }

  await session.sql.createTable("POINTS", { kind: "csv", path: local("points.csv", pointsCsv) })

  for (const model of testEngineModels) {
    await session.registry.logModel({
      name: model.name,
      version: "V1",
      engine: TestEngine.id,
      signatures: model.signatures,
      ...(model.functionKinds === undefined ? {} : { functionKinds: model.functionKinds }),
      ...(model.engineOptions === undefined ? {} : { engineOptions: model.engineOptions })
    })
  }
  // An image model on the onnx engine: the mean of each channel of an 8×8 image.
  await session.registry.logModel({
    name: "IMAGES",
    version: "V1",
    engine: "onnx",
    artifacts: [
      { name: "model.onnx", path: local("means.onnx", OnnxModels.channelMeans({ height: 8, width: 8 })) }
    ],
    signatures: {
      predict: Signature.signature([f("image", "BYTES")], [f("means", "FLOAT", { shape: [3] })])
    },
    engineOptions: { image: { feature: "image", height: 8, width: 8 } }
  })

  // A model behind HTTP (custom-http, no artifact); nothing listens at its URL: only refused cases use it.
  await session.registry.logModel({
    name: "SCORER",
    version: "V1",
    engine: "custom-http",
    artifacts: [],
    signatures: { score: Signature.signature([f("x", "DOUBLE")], [f("y", "DOUBLE")]) },
    engineOptions: { url: "http://127.0.0.1:9/score" }
  })

  // Files: a good image, one cut short, an empty one, a text file, and one over the 64 MiB read cap.
  const png = await TextLines.render("corpus", { height: 16 })
  await session.stages.write("@ML.PUBLIC.FILES/img/ok.png", png)
  await session.stages.write("@ML.PUBLIC.FILES/img/truncated.png", png.slice(0, Math.floor(png.length / 2)))
  await session.stages.write("@ML.PUBLIC.FILES/img/empty.png", new Uint8Array())
  await session.stages.write("@ML.PUBLIC.FILES/text/a.txt", new TextEncoder().encode("alpha"))
  const big = join(stageDir(home, "FILES"), "big")
  mkdirSync(big, { recursive: true })
  writeFileSync(join(big, "huge.bin"), "")
  truncateSync(join(big, "huge.bin"), 64 * 1024 * 1024 + 1) // sparse: no disk, no time
  // A folder that already holds a user's file.
  await session.stages.write("@ML.PUBLIC.CORPUS/occupied/notes.txt", new TextEncoder().encode("mine"))

  const plugins = {} as Record<keyof typeof pluginPackages, string>
  for (const [key, packageJson] of Object.entries(pluginPackages)) {
    const dir = join(home, "plugins", key)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "package.json"), JSON.stringify(packageJson, null, 2))
    writeFileSync(join(dir, "index.js"), key === "liar" ? liarCode : "export default undefined\n")
    plugins[key as keyof typeof pluginPackages] = dir
  }

  // A finished job, and copies of its output: one without _SUCCESS, one with a part altered.
  const done = await session.runBatch({
    model: "LINEAR",
    input: session.table("POINTS"),
    outputSpec: { stageLocation: "@ML.PUBLIC.DONE/out/" },
    jobSpec: { jobName: "DONE_JOB", numWorkers: 1, block: true },
    plugins: [TestEngine.packageDir],
    cpus: 1
  })
  if ((await done.status()) !== "DONE")
    throw new Error(`the fixture job failed: ${(await done.describe()).message}`)
  const doneDir = stageDir(home, "DONE")
  for (const copy of ["nosuccess", "altered"]) {
    cpSync(join(doneDir, "out"), join(doneDir, copy), { recursive: true })
  }
  rmSync(join(doneDir, "nosuccess", "_SUCCESS"))
  const part = readdirSync(join(doneDir, "altered")).find((name) => name.endsWith(".parquet"))!
  const bytes = readFileSync(join(doneDir, "altered", part))
  const middle = Math.floor(bytes.length / 2)
  bytes[middle] = bytes[middle]! ^ 0xff
  writeFileSync(join(doneDir, "altered", part), bytes)
  // Parquet files on a stage: one of zero bytes, one cut short.
  const whole = readFileSync(join(doneDir, "out", part))
  await session.stages.write("@ML.PUBLIC.FILES/pq-empty/empty.parquet", new Uint8Array())
  await session.stages.write("@ML.PUBLIC.FILES/pq-cut/cut.parquet", whole.subarray(0, whole.length >> 1))

  // Symbolic links out of the home standing for a stage, a model and a job folder (cases/links.ts):
  // what they point to lies beside the home, a copy of what the home holds.
  const outside = outsideOf(home)
  const names = { database: DATABASE, schema: SCHEMA }
  mkdirSync(join(outside, "stage", "data"), { recursive: true })
  writeFileSync(join(outside, "stage", "data", "secret.txt"), "outside")
  cpSync(join(doneDir, "out"), join(outside, "stage", "out"), { recursive: true })
  symlinkSync(join(outside, "stage"), stageDir(home, "LINKED"))
  cpSync(LocalLayout.modelDir(home, { ...names, name: "LINEAR" }), join(outside, "model"), {
    recursive: true
  })
  symlinkSync(join(outside, "model"), LocalLayout.modelDir(home, { ...names, name: "LINKED_MODEL" }))
  cpSync(LocalLayout.jobDir(home, { ...names, name: "DONE_JOB" }), join(outside, "job"), { recursive: true })
  symlinkSync(join(outside, "job"), LocalLayout.jobDir(home, { ...names, name: "LINKED_JOB" }))

  // A job that keeps running (each one-row batch sleeps) until the corpus cancels it.
  const busy = await session.runBatch({
    model: "LINEAR",
    input: session.table("POINTS"),
    outputSpec: { stageLocation: "@ML.PUBLIC.BUSY/out/" },
    jobSpec: { jobName: "BUSY_JOB", numWorkers: 1, maxBatchRows: 1 },
    inferenceEngineOptions: { options: { weights: [2, -1], delayMillis: 600_000 } },
    plugins: [TestEngine.packageDir],
    cpus: 1
  })
  await until(async () => (await busy.status()) === "RUNNING", "the busy job to run")

  return { home, session, plugins, done, busy }
}

export const closeFixture = async (fixture: Fixture | undefined): Promise<void> => {
  if (fixture === undefined) return
  try {
    if (!isTerminal(await fixture.busy.status())) {
      await fixture.busy.cancel()
      await fixture.busy.wait({ timeoutSeconds: 30 })
    }
  } finally {
    await fixture.session.close()
    rmSync(fixture.home, { recursive: true, force: true })
    rmSync(outsideOf(fixture.home), { recursive: true, force: true })
  }
}
