/**
 * Save modes, job-scoped and race-free. Before anything is written, a job claims its output folder
 * with a write-once `_runbatch/claim` file; a second job aiming at the same folder then fails with
 * OutputClaimed instead of interleaving its files.
 *
 * - `error` (default): the folder must hold no results (runbatch's reserved `_runbatch/` aside):
 *   OutputNotEmpty otherwise, before anything is written.
 * - `overwrite`: remove everything in the folder, and nothing outside it (`@S/out/` never touches
 *   `@S/out2/`), then claim it. Callers run this only once every other check has passed.
 *
 * A claim left by a job that is no longer running (it failed, or its process died) does not block:
 * `isActive` says whether the claiming job still runs (the launcher knows); unknown jobs count as
 * running, so a folder is never taken from a live job.
 */
import { OutputClaimed, OutputNotEmpty, type OutputSpec, StageLocation } from "@runbatch/spec"
import { Effect, Schema } from "effect"
import { isReserved, type OutputLayout, relativeToOutput } from "./OutputLayout.ts"
import { type StageError, StageStore } from "./StageStore.ts"

export const Claim = Schema.Struct({ job: Schema.String, claimed_at: Schema.String })

export interface PrepareOutputOptions {
  readonly layout: OutputLayout
  readonly mode: OutputSpec.SaveMode
  /** The claiming job's qualified name. */
  readonly job: string
  /** Whether another job that holds the claim is still running; default: assume it is. */
  readonly isActive?: (job: string) => Effect.Effect<boolean>
  readonly now?: () => Date
}

export interface PreparedOutput {
  /** Files removed by `overwrite`. */
  readonly removed: number
  /** The folder was already claimed by this job: a resumed job. */
  readonly resumed: boolean
}

const decoder = new TextDecoder()

/** Who holds the claim on an output folder, if anyone. */
export const claimant = (layout: OutputLayout): Effect.Effect<string | undefined, StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const location = StageLocation.format(layout.claim)
    if (!(yield* store.exists(location))) return undefined
    const bytes = yield* store.readBytes(location, { maxBytes: 64 * 1024 })
    const decoded = Schema.decodeUnknownExit(Schema.fromJsonString(Claim))(decoder.decode(bytes))
    // An unreadable claim still claims: its writer may be alive.
    return decoded._tag === "Success" ? decoded.value.job : "(unreadable claim)"
  })

/** What `prepare` would find, learnt without writing anything. */
export interface OutputPreflight {
  /** Who holds the claim now; a claim by an ended job (`isActive` false) does not block. */
  readonly holder: string | undefined
  /** The folder is already claimed by this job: a resumed job. */
  readonly resumed: boolean
  /** Result files in the folder (runbatch's reserved files aside): what `overwrite` removes. */
  readonly results: ReadonlyArray<string>
}

/** Who holds the folder's claim, failing with OutputClaimed when another job still runs on it. */
const checkClaim = (options: Omit<PrepareOutputOptions, "now">) =>
  Effect.gen(function* () {
    const holder = yield* claimant(options.layout)
    if (holder === options.job) return { holder, resumed: true }
    if (holder !== undefined) {
      const active = options.isActive === undefined ? true : yield* options.isActive(holder)
      if (active)
        return yield* new OutputClaimed({
          location: StageLocation.format(options.layout.output),
          job: holder
        })
    }
    return { holder, resumed: false }
  })

/**
 * The save mode's checks without the claim: fails as `prepare` would (OutputClaimed, OutputNotEmpty)
 * and writes nothing. A dry run stops here.
 */
export const preflight = (
  options: Omit<PrepareOutputOptions, "now">
): Effect.Effect<OutputPreflight, OutputNotEmpty | OutputClaimed | StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const { layout } = options
    const output = StageLocation.format(layout.output)
    const claim = yield* checkClaim(options)
    if (claim.resumed) return { ...claim, results: [] }
    const entries = yield* store.list(output, { withoutMd5: true })
    const results = entries.map((e) => relativeToOutput(layout, e.path)).filter((path) => !isReserved(path))
    if (options.mode === "error" && results.length > 0) {
      return yield* new OutputNotEmpty({
        location: output,
        files: results.length,
        sample: results.slice(0, 5)
      })
    }
    return { ...claim, results }
  })

/** Save-mode preflight and claim, in that order; see the module comment. */
export const prepare = (
  options: PrepareOutputOptions
): Effect.Effect<PreparedOutput, OutputNotEmpty | OutputClaimed | StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const { layout, job } = options
    const output = StageLocation.format(layout.output)
    // Overwrite removes what is there without looking at it first; only `error` mode lists it.
    const found = options.mode === "error" ? yield* preflight(options) : yield* checkClaim(options)
    if (found.resumed) return { removed: 0, resumed: true }
    let removed = 0
    if (options.mode === "overwrite") removed = yield* store.remove(output)
    // A stale claim from a job that is gone: release it before claiming.
    else if (found.holder !== undefined) yield* store.remove(StageLocation.format(layout.claim))
    const claim = JSON.stringify({ job, claimed_at: (options.now?.() ?? new Date()).toISOString() })
    yield* store.write(StageLocation.format(layout.claim), new TextEncoder().encode(claim)).pipe(
      Effect.catchTag("StageFileExists", () =>
        // Another job claimed the folder between our check and our claim.
        Effect.flatMap(claimant(layout), (other) =>
          Effect.fail(new OutputClaimed({ location: output, job: other ?? "(unknown)" }))
        )
      )
    )
    return { removed, resumed: false }
  })

/** Release a job's claim (after success), if it is still the job's. */
export const release = (layout: OutputLayout, job: string): Effect.Effect<void, StageError, StageStore> =>
  Effect.gen(function* () {
    if ((yield* claimant(layout)) !== job) return
    const store = yield* StageStore
    yield* store.remove(StageLocation.format(layout.claim))
  })
