/**
 * The planner over a local account: `check` and `write` give the plan.json replicas run, with each
 * plugin recorded by what replicas load it by; `changedSincePlanned` (resume) compares a written plan
 * with the model version as it is now through the fingerprint the plan was written with.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { JobPlanner } from "@runbatch/planner"
import { ModelRegistry, ModelVersionFiles } from "@runbatch/registry-client"
import { LocalAccount, Sql } from "@runbatch/session"
import { JobPlan, JobSpec, LocalLayout, OutputSpec, Signature } from "@runbatch/spec"
import { StageStore } from "@runbatch/stage-io"
import { Effect, Layer } from "effect"
import { onTestFinished } from "vitest"

/** A third-party engine, `echo`, installed nowhere: found only by its folder. */
const echoFolder = fileURLToPath(new URL("./fixtures/runbatch-engine-echo", import.meta.url))
const signature = Signature.signature([Signature.feature("x", "DOUBLE")], [Signature.feature("y", "DOUBLE")])

const tempHome = (): string => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-planner-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  return home
}

const accountLayer = (home: string) =>
  Layer.mergeAll(StageStore.layerLocal(), Sql.layerLocal(), ModelRegistry.layerLocal()).pipe(
    Layer.provideMerge(LocalAccount.layer({ home, database: "ML", schema: "PUBLIC" }))
  )

type AccountServices = Layer.Success<ReturnType<typeof accountLayer>>

/** Run a test's program over a fresh local account whose model ECHO V1 holds `weights.txt` = "1". */
const inFreshAccount = <A, E>(program: (home: string) => Effect.Effect<A, E, AccountServices>) => {
  const home = tempHome()
  return Effect.runPromise(
    Effect.gen(function* () {
      yield* logEcho(home, { weights: "1" })
      return yield* program(home)
    }).pipe(Effect.provide(accountLayer(home)))
  )
}

/** Log ECHO V1 (again, if it was): the echo engine, `weights.txt` as its file. */
const logEcho = (home: string, options: { readonly weights: string; readonly output?: string }) =>
  Effect.gen(function* () {
    const registry = yield* ModelRegistry
    yield* registry.deleteModel("ECHO").pipe(Effect.catchTag("ModelNotFound", () => Effect.void))
    const weights = join(home, "weights.txt")
    writeFileSync(weights, options.weights)
    return yield* registry.logModel({
      name: "ECHO",
      version: "V1",
      engine: "echo",
      artifacts: [weights],
      signatures: {
        predict: Signature.signature(signature.inputs, [Signature.feature(options.output ?? "y", "DOUBLE")])
      }
    })
  })

/** Plan ECHO V1 over three rows, with the echo engine given by a relative path. */
const planEcho = (
  jobName: string,
  jobSpec: Omit<JobSpec.JobSpecInput, "jobName"> = {},
  options: { readonly stageArtifacts?: boolean } = {}
) =>
  Effect.gen(function* () {
    const registry = yield* ModelRegistry
    const sql = yield* Sql
    const checked = yield* JobPlanner.check({
      version: yield* registry.getVersion("ECHO"),
      input: yield* sql.createDataFrame([{ X: 1 }, { X: 2 }, { X: 3 }], [Signature.feature("X", "DOUBLE")]),
      outputSpec: yield* OutputSpec.decode({ stageLocation: `@ML.PUBLIC.RESULTS/${jobName.toLowerCase()}/` }),
      jobSpec: yield* JobSpec.decode({ ...jobSpec, jobName }),
      plugins: [`./${relative(process.cwd(), echoFolder)}`],
      cpusPerReplica: 1,
      ...options
    })
    return yield* JobPlanner.write(checked)
  })

describe("JobPlanner", () => {
  it("writes plan.json naming each plugin by what replicas load it by: a plugin given by path, by its absolute folder", async () => {
    const { planned, onStage } = await inFreshAccount(() =>
      Effect.gen(function* () {
        const planned = yield* planEcho("PLANNED")
        const store = yield* StageStore
        const text = new TextDecoder().decode(yield* store.readBytes(planned.planLocation))
        return { planned, onStage: yield* JobPlan.parse(text, planned.planLocation) }
      })
    )
    expect(planned.rows).toBe(3)
    expect(onStage.fingerprint).toBe(planned.plan.fingerprint)
    expect(onStage.plugins.map((p) => [p.id, p.packageName, p.specifier])).toStrictEqual([
      ["echo", "runbatch-engine-echo", echoFolder]
    ])
    expect(JobPlan.pluginSpecifiers(onStage)).toStrictEqual([echoFolder])
  })

  it("records the job's batch bounds in the plan: max_batch_bytes when given, nothing (the runtime's default) when not", async () => {
    const [bounded, unbounded] = await inFreshAccount(() =>
      Effect.all([planEcho("BOUNDED", { maxBatchRows: 64, maxBatchBytes: 1_000_000 }), planEcho("DEFAULTS")])
    )
    expect(bounded.plan.batch).toMatchObject({ maxBatchRows: 64, maxBatchBytes: 1_000_000 })
    expect(unbounded.plan.batch.maxBatchBytes).toBeUndefined()
  })

  it("refuses a job before writing anything: no job folder, no claim on the output", async () => {
    const { error, written } = await inFreshAccount(() =>
      Effect.gen(function* () {
        const registry = yield* ModelRegistry
        const sql = yield* Sql
        const store = yield* StageStore
        const error = yield* JobPlanner.check({
          version: yield* registry.getVersion("ECHO"),
          // No column X: the function's input x has nothing to read.
          input: yield* sql.createDataFrame([{ W: 1 }], [Signature.feature("W", "DOUBLE")]),
          outputSpec: yield* OutputSpec.decode({ stageLocation: "@ML.PUBLIC.RESULTS/refused/" }),
          jobSpec: yield* JobSpec.decode({ jobName: "REFUSED" }),
          plugins: [echoFolder],
          cpusPerReplica: 1
        }).pipe(Effect.flip)
        return { error, written: yield* store.list("@ML.PUBLIC.RESULTS/refused/") }
      })
    )
    expect(error._tag).toBe("MissingFeatureColumn")
    expect(written).toStrictEqual([])
  })

  it("refuses a version another tool logged (no runbatch engine), saying why and where it can run", async () => {
    const { engine, error } = await inFreshAccount((home) =>
      Effect.gen(function* () {
        // ECHO V1's user data as snowflake-ml-python leaves it: no runbatch section.
        const folder = LocalLayout.versionDir(home, { database: "ML", schema: "PUBLIC", name: "ECHO" }, "V1")
        writeFileSync(join(folder, ModelVersionFiles.USER_DATA), "{}\n")
        const engine = (yield* (yield* ModelRegistry).getVersion("ECHO")).engine
        return { engine, error: yield* Effect.flip(planEcho("FOREIGN")) }
      })
    )
    expect(engine).toBe("")
    expect(error._tag).toBe("EnginePrepareError")
    expect(error.message).toContain("ML.PUBLIC.ECHO version V1 was not logged by runbatch")
    expect(error.message).toContain("managed batch inference")
    expect(error.message).toContain("W2-7")
  })
})

describe("artifacts staged with the job", () => {
  it("copies the version's files into the job's folder, which replicas read, and still holds for resume", async () => {
    const seen = await inFreshAccount(() =>
      Effect.gen(function* () {
        const planned = yield* planEcho("STAGED", {}, { stageArtifacts: true })
        const store = yield* StageStore
        const [artifact] = planned.plan.artifacts
        return {
          artifact,
          copy: new TextDecoder().decode(yield* store.readBytes(artifact!.staged!)),
          changed: yield* JobPlanner.changedSincePlanned(planned.plan)
        }
      })
    )
    expect(seen.artifact).toMatchObject({
      name: "weights.txt",
      location: "snow://model/ML.PUBLIC.ECHO/versions/V1/model/artifacts/weights.txt",
      staged: "@ML.PUBLIC.RESULTS/staged/_runbatch/ML.PUBLIC.STAGED/model/weights.txt"
    })
    expect(seen.copy).toBe("1")
    expect(seen.changed).toBeUndefined()
  })

  it("refuses a file that is not the one logged, and leaves the job's folder as it was", async () => {
    const seen = await inFreshAccount((home) =>
      Effect.gen(function* () {
        // The stored file spoilt after logging, as a damaged upload would leave it.
        const folder = LocalLayout.versionDir(home, { database: "ML", schema: "PUBLIC", name: "ECHO" }, "V1")
        writeFileSync(join(folder, "model", "artifacts", "weights.txt"), "2")
        const error = yield* Effect.flip(planEcho("SPOILT", {}, { stageArtifacts: true }))
        const left = yield* (yield* StageStore).list("@ML.PUBLIC.RESULTS/spoilt/")
        return { error, left }
      })
    )
    expect(seen.error._tag).toBe("InvalidModelVersion")
    expect(seen.error.message).toMatch(
      /its file weights\.txt .* is not the file that was logged: its sha256 is [0-9a-f]{64}, the registry recorded [0-9a-f]{64}\. Log the version again\./
    )
    expect(seen.left).toEqual([])
  })
})

describe("JobPlanner.changedSincePlanned", () => {
  it("holds for a plan when nothing changed: resume recomputes the fingerprint the plan was written with", async () => {
    const changed = await inFreshAccount(() =>
      Effect.gen(function* () {
        const planned = yield* planEcho("SAME")
        return yield* JobPlanner.changedSincePlanned(planned.plan)
      })
    )
    expect(changed).toBeUndefined()
  })

  it("says the fingerprint no longer matches when the version's function changed since", async () => {
    const changed = await inFreshAccount((home) =>
      Effect.gen(function* () {
        const planned = yield* planEcho("RENAMED_OUTPUT")
        // The same version, logged again with the same file and another output name.
        yield* logEcho(home, { weights: "1", output: "score" })
        return yield* JobPlanner.changedSincePlanned(planned.plan)
      })
    )
    expect(changed).toBe(
      "the plan's fingerprint no longer matches: the model version's function PREDICT or its files changed since the job was planned."
    )
  })

  it("names a model file that is not the same file any more", async () => {
    const changed = await inFreshAccount((home) =>
      Effect.gen(function* () {
        const planned = yield* planEcho("NEW_WEIGHTS")
        yield* logEcho(home, { weights: "2" })
        return yield* JobPlanner.changedSincePlanned(planned.plan)
      })
    )
    expect(changed).toBe("the model version's file weights.txt is not the same file.")
  })

  it("fails as PluginNotFound when a plugin the plan names is gone from its folder", async () => {
    const error = await inFreshAccount((home) =>
      Effect.gen(function* () {
        const planned = yield* planEcho("GONE_PLUGIN")
        const moved = {
          ...planned.plan,
          plugins: planned.plan.plugins.map((p) => ({ ...p, specifier: join(home, "no-such-plugin") }))
        }
        return yield* JobPlanner.changedSincePlanned(moved).pipe(Effect.flip)
      })
    )
    expect(error._tag).toBe("PluginNotFound")
  })
})
