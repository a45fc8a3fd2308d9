/**
 * The registry statements of the emulator with the real snowflake-sdk: `model_spec` only with the
 * statement parameter, staged version folders that are not versions refused with nothing written,
 * `snow://model/…` files listed and downloaded, and the Snowflake registry's log leaving no stage behind.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ModelRegistry } from "@runbatch/registry-client"
import { SnowflakeSession } from "@runbatch/session"
import { Signature } from "@runbatch/spec"
import { registryFiles } from "@runbatch/testkit"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { connect, emulator, execute, failing, snowflakeOptions, tempDir } from "./support.ts"

type Running = Awaited<ReturnType<typeof emulator>>

const predict = Signature.signature([Signature.feature("x", "DOUBLE")], [Signature.feature("y", "DOUBLE")])

/** Log IRIS V1 through the Snowflake registry; the statements it ran, from QUERY_HISTORY. */
const logIris = (running: Running) => {
  const folder = tempDir("registry-files-")
  writeFileSync(join(folder, "model.onnx"), "ONNX-BYTES")
  return Effect.runPromise(
    Effect.gen(function* () {
      const registry = yield* ModelRegistry
      return yield* registry.logModel({
        name: "iris",
        version: "v1",
        engine: "onnx",
        artifacts: [join(folder, "model.onnx")],
        signatures: { predict },
        comment: "first"
      })
    }).pipe(
      Effect.provide(
        ModelRegistry.layerSnowflake().pipe(Layer.provide(SnowflakeSession.layer(snowflakeOptions(running))))
      )
    )
  )
}

/** A stage ML.PUBLIC.UPLOADS holding `files` (path → text) under `folder/`. */
const stageFolder = async (running: Running, files: Readonly<Record<string, string>>) => {
  const connection = await connect(running, { database: "ML", schema: "PUBLIC" })
  await execute(connection, "CREATE STAGE uploads")
  const local = tempDir("registry-upload-")
  for (const [path, text] of Object.entries(files)) {
    const dir = join(local, path, "..")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(local, path), text)
    const inStage = path.includes("/") ? `/${path.slice(0, path.lastIndexOf("/"))}` : ""
    await execute(
      connection,
      `PUT 'file://${join(local, path)}' @uploads/folder${inStage}/ AUTO_COMPRESS = FALSE`
    )
  }
  return connection
}

describe("registry SQL on the emulator", () => {
  it("answers model_spec in SHOW VERSIONS only when the statement's parameter asks, leaving the session as it was", async () => {
    const running = await emulator()
    await logIris(running)
    const connection = await connect(running, { database: "ML", schema: "PUBLIC" })
    const plain = await execute(connection, "SHOW VERSIONS IN MODEL iris")
    expect(Object.keys(plain.rows[0]!)).not.toContain("model_spec")
    const detailed = await execute<Record<string, string>>(connection, "SHOW VERSIONS IN MODEL iris", {
      parameters: { SHOW_MODEL_DETAILS_IN_SHOW_VERSIONS_IN_MODEL: true }
    })
    expect(detailed.rows[0]!["model_spec"]).toContain("signatures:")
    expect(detailed.rows[0]!["comment"]).toBe("first")
    const again = await execute(connection, "SHOW VERSIONS IN MODEL iris")
    expect(Object.keys(again.rows[0]!)).not.toContain("model_spec")
    const functions = await execute<Record<string, string>>(
      connection,
      "SHOW FUNCTIONS IN MODEL iris VERSION v1"
    )
    expect(functions.rows.map((r) => [r["name"], r["return_type"]])).toEqual([["PREDICT", "OBJECT"]])
  })

  it("runs no ALTER SESSION for model details, and drops the temporary stage it logged from", async () => {
    const running = await emulator()
    await logIris(running)
    const connection = await connect(running, { database: "ML", schema: "PUBLIC" })
    const history = await execute<{ QUERY_TEXT: string }>(
      connection,
      "select query_text from table(information_schema.query_history()) order by start_time"
    )
    const texts = history.rows.map((r) => r.QUERY_TEXT)
    expect(texts.some((t) => /SHOW_MODEL_DETAILS/i.test(t))).toBe(false)
    expect(texts.some((t) => /^CREATE MODEL "ML"."PUBLIC"."IRIS" WITH VERSION "V1" FROM '@/.test(t))).toBe(
      true
    )
    expect(texts.some((t) => /^DROP STAGE IF EXISTS "ML"."PUBLIC"."RUNBATCH_LOG_/.test(t))).toBe(true)
    const stages = await execute<Record<string, string>>(connection, "SHOW STAGES")
    expect(stages.rows.filter((r) => String(r["name"]).startsWith("RUNBATCH_LOG_"))).toEqual([])
  })

  it("lists a version's files under snow://model/… and downloads one with GET through the driver", async () => {
    const running = await emulator()
    await logIris(running)
    const connection = await connect(running, { database: "ML", schema: "PUBLIC" })
    const listed = await execute<{ name: string }>(
      connection,
      "LIST 'snow://model/ML.PUBLIC.IRIS/versions/V1/'"
    )
    expect(listed.rows.map((r) => r.name)).toEqual([
      "versions/V1/MANIFEST.yml",
      "versions/V1/model/artifacts/model.onnx",
      "versions/V1/model/model.yaml"
    ])
    const local = tempDir("registry-get-")
    await execute(connection, `GET 'snow://model/ML.PUBLIC.IRIS/versions/V1/MANIFEST.yml' 'file://${local}/'`)
    expect(readFileSync(join(local, "MANIFEST.yml"), "utf8")).toContain("manifest_version")
    const missing = await failing(connection, "LIST 'snow://model/ML.PUBLIC.IRIS/versions/V9/'")
    expect(missing.message).toContain("V9")
  })

  it("refuses a staged folder without model/model.yaml, writing nothing", async () => {
    const running = await emulator()
    const connection = await stageFolder(running, {
      "MANIFEST.yml": "manifest_version: '1.0'\nmethods: []\n"
    })
    const error = await failing(connection, "CREATE MODEL iris WITH VERSION v1 FROM @uploads/folder/")
    expect(error.message).toContain("model/model.yaml")
    expect((await execute(connection, "SHOW MODELS")).rows).toEqual([])
    expect(registryFiles(running.home)).toEqual([])
  })

  it("refuses a staged folder whose model.yaml is not valid YAML, writing nothing", async () => {
    const running = await emulator()
    const connection = await stageFolder(running, {
      "MANIFEST.yml":
        "manifest_version: '1.0'\nmethods: [{name: PREDICT, type: FUNCTION}]\nuser_data: {runbatch: {engine: onnx}}\n",
      "model/model.yaml": "signatures: [unclosed\n"
    })
    const error = await failing(connection, "CREATE MODEL iris WITH VERSION v1 FROM @uploads/folder/")
    expect(error.message).toContain("not valid YAML")
    expect((await execute(connection, "SHOW MODELS")).rows).toEqual([])
    expect(registryFiles(running.home)).toEqual([])
  })
})
