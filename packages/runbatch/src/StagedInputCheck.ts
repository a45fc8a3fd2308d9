/**
 * Whether a job's staged input is still what it was planned with, before a resume reads it again. Every
 * file must still be there at its planned size (one listing of the input folder), and — for plans
 * that record it (older plans do not) — have the planned sha256, computed by streaming each file
 * through the StageStore: memory holds one chunk, whatever the file's size. A file changed in place
 * keeps its size and may still be valid parquet, so only its hash tells.
 */
import { createHash } from "node:crypto"
import type { JobPlan } from "@runbatch/spec"
import { type StageError, StageStore } from "@runbatch/stage-io"
import { Effect, Stream } from "effect"

/** Hex sha256 of a stage file, read as a stream. */
const sha256Of = (location: string): Effect.Effect<string, StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const hash = yield* store.read(location).pipe(
      Stream.runFold(
        () => createHash("sha256"),
        (hash, chunk) => hash.update(chunk)
      )
    )
    return hash.digest("hex")
  })

/** Why the staged input of `plan` changed since it was planned, or undefined when it did not. */
export const stagedInputChange = (
  plan: Pick<JobPlan.JobPlan, "input">
): Effect.Effect<string | undefined, StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const inputFolder = plan.input.location.replace(/\/?$/, "/")
    const staged = new Map(
      (yield* store.list(inputFolder, { withoutMd5: true })).map((e) => [e.location, e.size] as const)
    )
    for (const file of plan.input.files) {
      const location = `${inputFolder}${file.path}`
      const size = staged.get(location)
      if (size !== file.bytes) {
        return `its staged input file ${location} is ${size === undefined ? "gone" : "changed"}.`
      }
    }
    // Sizes first, for all files: the cheap check refuses a cut or missing file before any hashing.
    for (const file of plan.input.files) {
      if (file.sha256 === undefined) continue
      const location = `${inputFolder}${file.path}`
      if ((yield* sha256Of(location)) !== file.sha256) {
        return `its staged input file ${location} changed since the job was planned (its sha256 differs; same size).`
      }
    }
    return undefined
  })
