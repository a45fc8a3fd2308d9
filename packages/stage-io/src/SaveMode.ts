/**
 * Save modes, job-scoped and race-free on write-once storage. Before anything is written, a job
 * claims its output folder; a second job aiming at the same folder then fails with OutputClaimed
 * instead of interleaving its files.
 *
 * - `error` (default): the folder must hold no results (runbatch's reserved `_runbatch/` aside):
 *   OutputNotEmpty otherwise, before anything is written.
 * - `overwrite`: once the claim is won, remove everything in the folder — results, and what earlier
 *   jobs left under its `_runbatch/` — and nothing outside it (`@S/out/` never touches `@S/out2/`).
 *   Callers run this only once every other check has passed.
 *
 * Claims are numbered, write-once files, `@STAGE/_runbatch/claims/<output key>/000000000001.json`, … —
 * at the stage's root, so they outlive the folder's results and a finished folder holds only those; the
 * folder's holder
 * is the job of the highest number, and claiming writes the next number. Two jobs that both saw
 * number n both write n+1, and the storage lets exactly one of them create it, so exactly one wins —
 * also when they take over from a job that is gone, where removing its claim first would let two
 * takers each remove the other's. Claims are never removed (their numbers must only grow); they are a
 * few bytes each.
 *
 * A claim by a job that is no longer running (it failed, ended, was deleted) does not block: `isActive`
 * says whether the claiming job still runs (the launcher knows, from the moment the job's name is
 * reserved, before its first write); unknown jobs count as running, so a folder is never taken from a
 * live job.
 */
import { OutputClaimed, OutputNotEmpty, type OutputSpec, StageLocation } from "@runbatch/spec"
import { Effect, Schema } from "effect"
import { claimsKey, isReserved, type OutputLayout, RESERVED, relativeToOutput } from "./OutputLayout.ts"
import { type StageError, StageStore } from "./StageStore.ts"

export const Claim = Schema.Struct({
  job: Schema.String,
  /** Which job of that name (the launcher's instance id): a later job reusing the name is another. */
  instance: Schema.optionalKey(Schema.String),
  /** The claimed folder's path inside the stage (claims written before it was recorded lack it). */
  output_path: Schema.optionalKey(Schema.String),
  claimed_at: Schema.String
})

/** Who claims a folder: a job, and which job of that name. */
export interface Claimant {
  readonly job: string
  readonly instance?: string
}

export interface PrepareOutputOptions {
  readonly layout: OutputLayout
  readonly mode: OutputSpec.SaveMode
  /** The claiming job's qualified name. */
  readonly job: string
  /** Which job of that name: a claim by another job of the same name is not this job's. */
  readonly instance?: string
  /** Whether the job that holds the claim is still running; default: assume it is. */
  readonly isActive?: (holder: Claimant) => Effect.Effect<boolean>
  readonly now?: () => Date
}

export interface PreparedOutput {
  /** Files removed by `overwrite`. */
  readonly removed: number
  /** The folder was already claimed by this job: a resumed job. */
  readonly resumed: boolean
}

/** The folder's claim: its number and the job that holds it. */
export interface Holder extends Claimant {
  readonly generation: number
  /** The claimed folder's path inside the stage, when the claim records it. */
  readonly outputPath?: string
}

const decoder = new TextDecoder()

/** `000000000042.json`: claim number 42 (zero-padded so listings sort by number). */
export const claimName = (generation: number): string => `${String(generation).padStart(12, "0")}.json`

const CLAIM_NAME = /^(\d{12})\.json$/

const claimFile = (layout: OutputLayout, generation: number): string =>
  `${StageLocation.format(layout.claims)}${claimName(generation)}`

/** The folder's current claim (the highest number), or undefined when it was never claimed. */
export const currentClaim = (
  layout: OutputLayout
): Effect.Effect<Holder | undefined, StageError, StageStore> =>
  latestClaim(StageLocation.format(layout.claims))

/** The highest-numbered claim in one folder of claims (`…/_runbatch/claims/<key>/`). */
const latestClaim = (folder: string): Effect.Effect<Holder | undefined, StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const generations = (yield* store.list(folder, { withoutMd5: true })).flatMap((entry) => {
      const match = CLAIM_NAME.exec(entry.path.slice(entry.path.lastIndexOf("/") + 1))
      return match === null ? [] : [Number(match[1])]
    })
    if (generations.length === 0) return undefined
    const generation = Math.max(...generations)
    const bytes = yield* store.readBytes(`${folder}${claimName(generation)}`, { maxBytes: 64 * 1024 })
    const decoded = Schema.decodeUnknownExit(Schema.fromJsonString(Claim))(decoder.decode(bytes))
    // An unreadable claim still claims: its writer may be alive.
    if (decoded._tag === "Failure") return { generation, job: "(unreadable claim)" }
    const { job, instance, output_path } = decoded.value
    return {
      generation,
      job,
      ...(instance === undefined ? {} : { instance }),
      ...(output_path === undefined ? {} : { outputPath: output_path })
    }
  })

/** Whether `path` is `folder` or lies inside it (paths inside one stage; "" is the stage's root). */
const isWithin = (path: string, folder: string): boolean =>
  folder === "" || path === folder || path.startsWith(`${folder}/`)

/**
 * The current claims of every output folder that `location` (a file, a folder, or a prefix as LIST
 * reads one) lies in or holds: what removing `location` would reach into. One listing of the stage's claims, one per claimed folder.
 * A claim written before claims named their folder is matched by its key, against the folders that
 * hold `location`.
 */
export const claimsReaching = (
  location: StageLocation.StageLocation
): Effect.Effect<ReadonlyArray<Holder & { readonly output: string }>, StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const path = location.path.replace(/\/+$/, "")
    const root: StageLocation.StageLocation = { ...location, path: "", isDirectory: true }
    const claimsRoot = StageLocation.format({ ...root, path: `${RESERVED}/claims` })
    const keys = new Set(
      (yield* store.list(claimsRoot, { withoutMd5: true })).flatMap((entry) => {
        const key = /\/claims\/([^/]+)\/[^/]+$/.exec(entry.path)?.[1]
        return key === undefined ? [] : [key]
      })
    )
    const segments = path === "" ? [] : path.split("/")
    const holding = new Map(
      segments
        .map((_, i) => segments.slice(0, i).join("/"))
        .concat(path)
        .map((folder) => [claimsKey(folder), folder])
    )
    const reached: Array<Holder & { readonly output: string }> = []
    for (const key of keys) {
      const claim = yield* latestClaim(`${claimsRoot}${key}/`)
      if (claim === undefined) continue
      const folder = claim.outputPath ?? holding.get(key)
      if (folder === undefined) continue
      // A location without a trailing slash is a prefix, as LIST reads it: `out` reaches `out2/` too.
      const holds = location.isDirectory ? isWithin(folder, path) : folder.startsWith(path)
      if (!(isWithin(path, folder) || holds)) continue
      reached.push({ ...claim, output: StageLocation.format({ ...root, path: folder }) })
    }
    return reached
  })

/**
 * Refuse to remove `location` while a running job (`isActive`) has claimed a folder it lies in or
 * holds: removing a committed part under a job would leave it finishing over missing rows.
 */
export const refuseRemovingClaimed = (
  location: StageLocation.StageLocation,
  isActive: (holder: Claimant) => Effect.Effect<boolean>
): Effect.Effect<void, OutputClaimed | StageError, StageStore> =>
  Effect.gen(function* () {
    for (const claim of yield* claimsReaching(location)) {
      if (yield* isActive(claim)) return yield* new OutputClaimed({ location: claim.output, job: claim.job })
    }
  })

/** Who holds the claim on an output folder, if anyone. */
export const claimant = (layout: OutputLayout): Effect.Effect<string | undefined, StageError, StageStore> =>
  Effect.map(currentClaim(layout), (holder) => holder?.job)

/** What `prepare` would find, learnt without writing anything. */
export interface OutputPreflight {
  /** Who holds the claim now; a claim by an ended job (`isActive` false) does not block. */
  readonly holder: string | undefined
  /** The claim itself, with its number. */
  readonly claim: Holder | undefined
  /** The folder is already claimed by this job: a resumed job. */
  readonly resumed: boolean
  /** Result files in the folder (runbatch's reserved files aside): what `overwrite` removes. */
  readonly results: ReadonlyArray<string>
}

/** The folder's claim, failing with OutputClaimed when another job holds it and still runs. */
const checkClaim = (options: Omit<PrepareOutputOptions, "now">) =>
  Effect.gen(function* () {
    const claim = yield* currentClaim(options.layout)
    const holder = claim?.job
    if (claim !== undefined && holder === options.job && claim.instance === options.instance)
      return { holder, claim, resumed: true }
    if (claim !== undefined) {
      const active = options.isActive === undefined ? true : yield* options.isActive(claim)
      if (active)
        return yield* new OutputClaimed({
          location: StageLocation.format(options.layout.output),
          job: claim.job
        })
    }
    return { holder, claim, resumed: false }
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
    const { holder, claim, resumed } = yield* checkClaim(options)
    if (resumed) return { holder, claim, resumed, results: [] }
    const entries = yield* store.list(output, { withoutMd5: true })
    const results = entries.map((e) => relativeToOutput(layout, e.path)).filter((path) => !isReserved(path))
    if (options.mode === "error" && results.length > 0) {
      return yield* new OutputNotEmpty({
        location: output,
        files: results.length,
        sample: results.slice(0, 5)
      })
    }
    return { holder, claim, resumed, results }
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
    // A folder that cannot be reached (a link out of the stage) fails here, before a claim is written.
    yield* store.exists(output)
    const generation = (found.claim?.generation ?? 0) + 1
    const claim = JSON.stringify({
      job,
      ...(options.instance === undefined ? {} : { instance: options.instance }),
      output_path: layout.output.path.replace(/\/+$/, ""),
      claimed_at: (options.now?.() ?? new Date()).toISOString()
    })
    yield* store.write(claimFile(layout, generation), new TextEncoder().encode(claim)).pipe(
      Effect.catchTag("StageFileExists", () =>
        // Another job claimed the folder between our look and our claim.
        Effect.flatMap(claimant(layout), (other) =>
          Effect.fail(new OutputClaimed({ location: output, job: other ?? "(unknown)" }))
        )
      )
    )
    // What an earlier job of this name left in its private folder (it ended, or was removed: names are
    // unique among jobs that exist) is not this job's: staging into it would meet its files.
    yield* store.remove(StageLocation.format(layout.job))
    const removed = options.mode === "overwrite" ? yield* clear(layout) : 0
    return { removed, resumed: false }
  })

/**
 * Remove everything in a claimed folder but the claiming job's own folder and, when the folder is the
 * stage's root, the stage's claims: results, and what earlier jobs left under its `_runbatch/`. One
 * removal per entry of the folder, and per entry of its `_runbatch/`. Returns the files removed.
 */
const clear = (layout: OutputLayout): Effect.Effect<number, StageError, StageStore> =>
  Effect.gen(function* () {
    const store = yield* StageStore
    const output = StageLocation.format(layout.output)
    const entryOf = (relative: string): string => {
      const [first, second] = relative.split("/")
      return first === RESERVED && second !== undefined ? `${first}/${second}` : first!
    }
    const keep = [layout.claims, layout.job]
      .filter((folder) => layout.output.path === "" || folder.path.startsWith(`${layout.output.path}/`))
      .map((folder) => entryOf(relativeToOutput(layout, folder.path)))
    const targets = new Set<string>()
    for (const entry of yield* store.list(output, { withoutMd5: true })) {
      const target = entryOf(relativeToOutput(layout, entry.path))
      if (!keep.includes(target)) targets.add(target)
    }
    let removed = 0
    for (const target of targets) removed += yield* store.remove(`${output}${target}`)
    return removed
  })
