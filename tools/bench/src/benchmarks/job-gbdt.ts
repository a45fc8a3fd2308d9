import type { Account as AccountTypes } from "@runbatch/runbatch"
import type { Effect as EffectTypes } from "effect"
import type { Benchmark } from "../benchmark.ts"

/**
 * The whole job, as a user runs it: `runBatch` on a 2M-row table with `block: true` — check, claim
 * the output, materialise the table as parquet shards, write the plan, launch the supervisor and the
 * replica process, run, commit, finish, and notice the end. The reference is the `gbdt` figure: one
 * replica run in this process on the same staged shards, so the ratio is the share of a job's time
 * spent running the model; `extra` says where the rest goes.
 */
export const jobGbdt: Benchmark = {
  name: "job-gbdt",
  reference: "the gbdt replica alone (in process) on the same staged shards",
  description:
    "runBatch of the 100-tree GBDT over a 2M-row (--quick: 1M) DuckDB table, end to end, block: true",
  run: async ({ quick }) => {
    const { mkdtempSync, readFileSync, rmSync, writeFileSync } = await import("node:fs")
    const { availableParallelism, tmpdir } = await import("node:os")
    const { join } = await import("node:path")
    const { Effect } = await import("effect")
    const { Account, InputSource, JobPlanner, runBatch } = await import("@runbatch/runbatch")
    const { ModelRegistry } = await import("@runbatch/registry-client")
    const { Sql } = await import("@runbatch/session")
    const { OnnxModels } = await import("@runbatch/testkit")
    const { gbdtRowsQuery, gbdtSignature } = await import("../onnx/gbdt-table.ts")
    const { runJob } = await import("../onnx/replica-run.ts")

    const rows = quick ? 1_000_000 : 2_000_000
    const cpus = availableParallelism()
    const scratch = mkdtempSync(join(tmpdir(), "runbatch-bench-job-"))
    const home = join(scratch, "home")
    const layer = Account.layerLocal({ home, database: "ML", schema: "PUBLIC" })
    const run = <A, E>(effect: EffectTypes.Effect<A, E, AccountTypes.Services>) =>
      Effect.runPromise(Effect.scoped(effect).pipe(Effect.provide(layer)))
    try {
      const modelPath = join(scratch, "gbdt.onnx")
      writeFileSync(modelPath, OnnxModels.gbdt())
      await run(
        Effect.gen(function* () {
          const sql = yield* Sql
          yield* sql.createTable("SAMPLES", { kind: "relation", relation: sql.sql(gbdtRowsQuery(rows)) })
          // The warm-up compiles the same code (WASM, onnxruntime, DuckDB); it needs no more rows than this.
          yield* sql.createTable("WARM", { kind: "relation", relation: sql.sql(gbdtRowsQuery(100_000)) })
          const registry = yield* ModelRegistry
          yield* registry.logModel({
            name: "GBDT",
            version: "V1",
            engine: "onnx",
            artifacts: [{ name: "model.onnx", path: modelPath }],
            signatures: { predict: gbdtSignature() }
          })
        })
      )

      // Reference: plan the same job (not timed), then one replica in this process.
      const replicaSeconds = async (round: number, table = "SAMPLES") => {
        const planned = await run(
          Effect.gen(function* () {
            const registry = yield* ModelRegistry
            const version = yield* registry.getVersion("GBDT")
            const input = yield* InputSource.relationOf(InputSource.table(table))
            const checked = yield* JobPlanner.check({
              version,
              input,
              outputSpec: { stageLocation: `@ML.PUBLIC.RESULTS/replica-${round}/` },
              jobSpec: { jobName: `REPLICA_${round}` },
              cpusPerReplica: cpus
            })
            const started = performance.now()
            const written = yield* JobPlanner.write(checked)
            return { ...written, writeSeconds: (performance.now() - started) / 1000 }
          })
        )
        return { seconds: await runJob(home, planned, cpus), writeSeconds: planned.writeSeconds }
      }

      // The job: everything from the call to its return with the job DONE.
      const jobSeconds = async (round: number) => {
        const startedAt = Date.now()
        const started = performance.now()
        const handle = await run(
          runBatch({
            model: "GBDT",
            input: InputSource.table("SAMPLES"),
            outputSpec: { stageLocation: `@ML.PUBLIC.RESULTS/job-${round}/` },
            jobSpec: { jobName: `JOB_${round}`, block: true },
            cpus
          })
        )
        const seconds = (performance.now() - started) / 1000
        const status = await run(handle.status)
        if (status !== "DONE") throw new Error(`the benchmark job ended ${status}`)
        // Where the time went, from the replica's own log lines.
        const log = readFileSync(
          join(home, "jobs", "ML", "PUBLIC", `JOB_${round}`, "logs", "replica-0.log"),
          "utf8"
        )
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as { type: string; time?: string; message?: string })
        const at = (message: string) =>
          Date.parse(log.find((l) => l.type === "log" && l.message?.startsWith(message))?.time ?? "")
        return {
          seconds,
          replicaRunSeconds: (at("Inference finished") - at("Starting inference.")) / 1000,
          startedAtSeconds: (at("Starting inference.") - startedAt) / 1000
        }
      }

      const rounds = quick ? 1 : 3
      let best = { seconds: Number.POSITIVE_INFINITY, replicaRunSeconds: 0, startedAtSeconds: 0 }
      let reference = { seconds: Number.POSITIVE_INFINITY, writeSeconds: 0 }
      await replicaSeconds(100, "WARM")
      for (let round = 0; round < rounds; round++) {
        const r = await replicaSeconds(round)
        if (r.seconds < reference.seconds) reference = r
        const j = await jobSeconds(round)
        if (j.seconds < best.seconds) best = j
      }
      return {
        rows,
        seconds: best.seconds,
        referenceRowsPerSecond: rows / reference.seconds,
        extra: {
          cpus,
          rounds,
          referenceSeconds: reference.seconds,
          checkClaimMaterializePlanSeconds: reference.writeSeconds,
          replicaStartsAfterSeconds: best.startedAtSeconds,
          replicaRunSeconds: best.replicaRunSeconds,
          afterReplicaSeconds: best.seconds - best.startedAtSeconds - best.replicaRunSeconds,
          breakdown:
            "startsAfter = check + claim + materialise + plan + launch + replica start-up; afterReplica = exit, supervisor, the client noticing DONE"
        }
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
