/**
 * `LIST` on Snowflake as the StageStore answers it: LIST is a prefix match (`@S/out` lists `out/…`,
 * `out2/…` and `out.txt`; `@S/out/` lists `out/…` only), and its rows are filtered here again by the
 * same prefix and by the pattern (RE2, anchored at both ends, on the path inside the stage) — whether
 * Snowflake matches PATTERN against the path or the full name is unconfirmed, so runbatch does not
 * rely on it. LIST's `md5` on an encrypted internal stage is not the MD5 of the contents: compare it
 * only with an earlier LIST's. A stage that does not exist fails (StageFileError "not_found"), where
 * the local store lists it as empty: on Snowflake a stage is made, not written into being. An external
 * stage is listed too (its names are URLs, see StageListNames), but its files are never downloaded.
 */
import { ListPattern, StageFileError, StageLocation } from "@runbatch/spec"
import type { ListOptions, StageEntry, StageStoreShape } from "@runbatch/stage-io"
import { Effect } from "effect"
import { listedPaths } from "../StageListNames.ts"
import {
  display,
  externalStageRead,
  parseFile,
  parseStage,
  type SnowflakeStage,
  sqlLiteral,
  statementFailed
} from "./SnowflakeStage.ts"

/** Whether `path` lies under `location` with LIST's prefix semantics. */
const underPrefix = (location: StageLocation.StageLocation, path: string): boolean =>
  location.path === "" || path.startsWith(location.isDirectory ? `${location.path}/` : location.path)

/** The files under a parsed location, sorted by path. */
export const listLocation = (
  stage: SnowflakeStage,
  location: StageLocation.StageLocation,
  options: ListOptions = {}
) =>
  Effect.gen(function* () {
    const matches = yield* ListPattern.compile(display(location), options.pattern)
    const result = yield* stage.session.client
      .run(`LIST ${sqlLiteral(location)}`)
      .pipe(Effect.mapError(statementFailed(location, "unreadable")))
    const at = (name: string) => result.columns.findIndex((column) => column.name.toLowerCase() === name)
    const [nameAt, sizeAt, md5At, modifiedAt] = ["name", "size", "md5", "last_modified"].map(at)
    const names = result.rows.map((row) => row[nameAt!] ?? "")
    const { paths } = yield* listedPaths(stage.session.client, location, names).pipe(
      Effect.mapError(statementFailed(location, "unreadable"))
    )
    const entries: Array<StageEntry> = []
    result.rows.forEach((row, index) => {
      const path = paths[index]!
      if (!underPrefix(location, path) || !matches(path)) return
      const file = { ...location, path, isDirectory: false }
      entries.push({
        location: display(file),
        name: names[index]!,
        path,
        size: Number(row[sizeAt!] ?? 0),
        md5: options.withoutMd5 === true ? "" : (row[md5At!] ?? ""),
        lastModified: new Date(row[modifiedAt!] ?? 0)
      })
    })
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  })

export const list =
  (stage: SnowflakeStage): StageStoreShape["list"] =>
  (text, options) =>
    Effect.flatMap(parseStage(stage, text), (location) => listLocation(stage, location, options))

/** The one file at a file location, if it exists (LIST's prefix match narrowed to the exact path). */
export const findFile = (stage: SnowflakeStage, location: StageLocation.StageLocation) =>
  Effect.map(listLocation(stage, location, { withoutMd5: true }), (entries) =>
    entries.find((entry) => entry.path === location.path)
  )

/** The file at a file location, or StageFileError "not_found". */
export const existingFile = (stage: SnowflakeStage, text: string) =>
  Effect.gen(function* () {
    const location = yield* parseFile(stage, text, "read")
    const entry = yield* findFile(stage, location)
    if (entry === undefined)
      return yield* new StageFileError({ location: display(location), problem: "not_found" })
    return { location, entry }
  })

/**
 * The file at a file location, to be downloaded with GET: one on an external stage (LIST names it by
 * URL) is refused before GET, which Snowflake refuses there (091003).
 */
export const downloadableFile = (stage: SnowflakeStage, text: string) =>
  Effect.flatMap(existingFile(stage, text), (found) =>
    StageLocation.isUrlListName(found.entry.name)
      ? Effect.fail(externalStageRead(found.location))
      : Effect.succeed(found)
  )

export const size =
  (stage: SnowflakeStage): StageStoreShape["size"] =>
  (text) =>
    Effect.map(existingFile(stage, text), ({ entry }) => entry.size)

export const exists =
  (stage: SnowflakeStage): StageStoreShape["exists"] =>
  (text) =>
    Effect.gen(function* () {
      const location = yield* parseStage(stage, text)
      if (!location.isDirectory) return (yield* findFile(stage, location)) !== undefined
      return (yield* listLocation(stage, location, { withoutMd5: true })).length > 0
    }).pipe(
      // Nothing exists on a stage that does not.
      Effect.catchIf(
        (error) => error._tag === "StageFileError" && error.problem === "not_found",
        () => Effect.succeed(false)
      )
    )
