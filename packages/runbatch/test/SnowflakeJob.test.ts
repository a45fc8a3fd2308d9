/**
 * A job's client side on Snowflake, through the emulator with the real snowflake-sdk: every check, the
 * output claimed, the input unloaded once with COPY INTO, and plan.json written to the stage — compared
 * with the plan the local account makes of the same model and rows. The launch itself (Snowpark
 * Container Services) is not here yet, so the test stops after the plan. A dry run, which writes
 * nothing, runs on Snowflake too and reports what it reports locally.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { JobPlanner } from "@runbatch/planner"
import { ModelVersionFiles } from "@runbatch/registry-client"
import { JobPlan, LocalLayout } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect, type Layer } from "effect"
import { describe, expect, it } from "vitest"
import { Account, checkBatch, type RunBatchOptions, Session } from "../src/index.ts"
import { emulatorConnection } from "./emulatorConnection.ts"
import { FEATURES, localSession, logGbdt, tempHome } from "./support.ts"

const PASSWORD = "job-pw"
const ROWS = 300

/** The same 300 rows on either account: ID and F0..F12, from SQL both dialects run. */
const CREATE_FEATURES = `CREATE TABLE FEATURES AS SELECT range AS ID, ${Array.from(
  { length: FEATURES },
  (_, j) => `CAST(((range * ${j + 7}) % 97) AS DOUBLE) / 10 AS F${j}`
).join(", ")} FROM range(${ROWS}) ORDER BY ID`

const jobOptions = (session: Session): RunBatchOptions => ({
  model: "GBDT",
  input: session.table("FEATURES"),
  outputSpec: { stageLocation: "@ML.PUBLIC.OUT/scores/" },
  jobSpec: { jobName: "SCORE_FEATURES", replicas: 2 },
  cpus: 2
})

/** Both accounts set up alike: the sample GBDT logged, the FEATURES table, the OUT stage. */
const setup = async () => {
  const emu = await emulatorConnection({ password: PASSWORD, extra: 'database = "ML"\n', queryLog: true })
  const snowflake = Session.snowflake({ connection: "emu", snowflakeHome: emu.snowflakeHome, env: {} })
  const localHome = tempHome()
  const local = localSession(localHome)
  for (const [session, home] of [
    [snowflake, emu.folder],
    [local, localHome]
  ] as const) {
    await logGbdt(session, home)
    await session.sql.execute(CREATE_FEATURES)
  }
  await snowflake.sql.execute("CREATE STAGE ML.PUBLIC.OUT ENCRYPTION = (TYPE = 'SNOWFLAKE_SSE')")
  const statements = () =>
    readFileSync(join(emu.folder, "queries.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { sql: string }).sql)
  const snowflakeData = Account.layerSnowflakeData({
    connection: "emu",
    snowflakeHome: emu.snowflakeHome,
    env: {}
  })
  return { snowflake, local, localHome, statements, snowflakeData, emulatorHome: emu.running.home }
}

/** Check and write the job on `layer`'s account; the plan read back from the stage, and its files. */
// biome-ignore lint/suspicious/noExplicitAny: either account's layer, whatever else it provides
const planOn = (layer: Layer.Layer<any, unknown>, options: RunBatchOptions) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const { checked } = yield* checkBatch(options)
      const planned = yield* JobPlanner.write(checked)
      const store = yield* StageStore
      const text = new TextDecoder().decode(yield* store.readBytes(planned.planLocation))
      const plan = yield* JobPlan.parse(text, planned.planLocation)
      const input = yield* store.list(plan.input.location)
      const claims = yield* store.list(`${plan.output.location.replace(/scores\/$/, "")}_runbatch/claims/`)
      return { plan, planned, input, claims }
    }).pipe(Effect.provide(layer))
  )

describe("a job's client side on Snowflake", () => {
  it("claims the output, unloads the input with COPY INTO and writes the plan the local account writes", async () => {
    const { snowflake, local, localHome, statements, snowflakeData } = await setup()
    await snowflake.close()
    const onSnowflake = await planOn(snowflakeData, jobOptions(snowflake))
    const onLocal = await planOn(
      Account.layerLocal({ home: localHome, database: "ML", schema: "PUBLIC" }),
      jobOptions(local)
    )

    // What comes from the model, the input's columns and the job's settings is the same plan.
    const same = (plan: JobPlan.JobPlan) => ({
      job: plan.job,
      model: plan.model,
      function: plan.function,
      signature: plan.signature,
      artifacts: plan.artifacts,
      inputSchema: plan.inputSchema,
      outputSchema: plan.outputSchema,
      columnMapping: plan.columnMapping,
      columnHandling: plan.columnHandling,
      engine: plan.engine,
      params: plan.params,
      batch: plan.batch,
      replicas: plan.replicas,
      onError: plan.onError,
      output: plan.output,
      input: plan.input.location
    })
    expect(same(onSnowflake.plan)).toEqual(same(onLocal.plan))
    expect(onSnowflake.plan.artifacts[0]!.location).toBe(
      "snow://model/ML.PUBLIC.GBDT/versions/V1/model/artifacts/model.onnx"
    )
    // Every row is in exactly one shard, on both; Snowflake's shards are the files COPY INTO unloaded.
    for (const { plan, input } of [onSnowflake, onLocal]) {
      expect(plan.shards.reduce((sum, shard) => sum + shard.rows, 0)).toBe(ROWS)
      expect(input.map((entry) => [entry.location, entry.size])).toEqual(
        plan.input.files.map((file) => [`${plan.input.location}${file.path}`, file.bytes])
      )
    }
    expect(onSnowflake.planned.rows).toBe(ROWS)
    // The output is claimed by this job, on the stage.
    expect(onSnowflake.claims.map((entry) => entry.path)).toHaveLength(1)
    expect(onSnowflake.claims[0]!.path).toMatch(/^_runbatch\/claims\/.+\/\d{12}\.json$/)
    // The input went through one unload on the account, into the job's own folder.
    const unloads = statements().filter((sql) => /^COPY INTO\s+'?@/i.test(sql.trim()))
    expect(unloads).toHaveLength(1)
    expect(unloads[0]).toContain(`/scores/_runbatch/ML.PUBLIC.SCORE_FEATURES/input/`)
    expect(unloads[0]).toMatch(/FROM \(\s*SELECT/)
  })

  it("lists and shows a version another tool logged, and refuses to plan it, saying where it can run", async () => {
    const { snowflake, statements, emulatorHome } = await setup()
    // GBDT V1's user data as snowflake-ml-python leaves it: no runbatch section.
    const folder = LocalLayout.versionDir(
      emulatorHome,
      { database: "ML", schema: "PUBLIC", name: "GBDT" },
      "V1"
    )
    writeFileSync(join(folder, ModelVersionFiles.USER_DATA), "{}\n")
    const version = await snowflake.registry.getVersion("GBDT")
    expect([version.engine, version.artifacts]).toEqual(["", []])
    expect(version.functions.map((f) => f.name)).toEqual(["PREDICT"])
    const before = statements().length
    const refused = (await snowflake
      .runBatch({ ...jobOptions(snowflake), dryRun: true })
      .catch((error: unknown) => error)) as Error & { _tag: string }
    expect(refused._tag, refused.message).toBe("EnginePrepareError")
    expect(refused.message).toContain("ML.PUBLIC.GBDT version V1 was not logged by runbatch")
    expect(refused.message).toContain("managed batch inference")
    expect(
      statements()
        .slice(before)
        .filter((sql) => /^(COPY|PUT|CREATE|INSERT)/i.test(sql.trim()))
    ).toEqual([])
    await snowflake.close()
  })

  it("dry-runs on Snowflake, writing nothing, with the local account's report", async () => {
    const { snowflake, local, statements } = await setup()
    const before = statements().length
    const dry = { sampleRows: 50 }
    const remote = await snowflake.runBatch({ ...jobOptions(snowflake), dryRun: dry })
    const mine = await local.runBatch({ ...jobOptions(local), dryRun: dry })
    const shown = (report: typeof remote) => ({
      job: report.job,
      model: report.model,
      rows: report.input.rows,
      columns: report.input.columns,
      output: { ...report.output },
      columnMapping: report.columnMapping,
      // Plain values: list cells are Arrow vectors, whose buffers may be laid out differently.
      sample: JSON.parse(
        JSON.stringify(report.sample.outputs.toArray(), (_, value) =>
          typeof value === "bigint" ? value.toString() : value
        )
      ),
      wouldFail: report.wouldFail
    })
    expect(shown(remote)).toEqual(shown(mine))
    expect(remote.sample.rows).toBe(50)
    // Nothing was written: no claim, no unload, no plan.
    expect(await snowflake.stages.list("@ML.PUBLIC.OUT/")).toEqual([])
    const sent = statements().slice(before)
    expect(sent.length).toBeGreaterThan(0)
    expect(sent.filter((sql) => /^(COPY INTO|PUT|CREATE|INSERT|REMOVE)/i.test(sql.trim()))).toEqual([])
    // A job itself is not launched on Snowflake yet.
    const refused = (await snowflake.runBatch(jobOptions(snowflake)).catch((error: unknown) => error)) as {
      _tag: string
    }
    expect(refused._tag).toBe("NotOnSnowflakeYet")
    await snowflake.close()
  })
})
