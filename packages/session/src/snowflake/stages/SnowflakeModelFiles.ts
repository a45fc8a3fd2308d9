/**
 * A model version's files (`snow://model/DB.SCHEMA.MODEL/versions/V/…`) through the Snowflake
 * StageStore, read-only, as the local store serves them from the registry folder: a job's plan names
 * its artifacts this way, and the engine's plan-time check (and later a replica) reads them through the
 * store wherever it runs. LIST gives the files; GET brings one into a private folder, streamed from
 * there. Writing, putting or removing a version's files is refused: a version is made by logging it.
 * LIST's `name` for a model on a real account and GET of a `snow://` location through snowflake-sdk
 * are verified against the emulator only (see docs/snowflake.md).
 */
import { stat } from "node:fs/promises"
import { join } from "node:path"
import {
  InvalidStageLocation,
  ListPattern,
  ModelFileLocation,
  type ModelFileLocation as ModelFileLocationType,
  StageFileError
} from "@runbatch/spec"
import type { ListOptions, ReadBytesOptions, StageEntry } from "@runbatch/stage-io"
import { Effect, Stream } from "effect"
import { keepingUmask } from "../SnowflakePut.ts"
import type { SnowflakeSessionShape } from "../SnowflakeSession.ts"
import { snowflakeString } from "../SnowflakeString.ts"
import { privateFolder, readDownloaded, readLimit, streamDownloaded, tooLarge } from "./SnowflakeStageRead.ts"

export const isModelFile = ModelFileLocation.isModelFileLocation

/** The path inside the version folder of LIST's `name` (`…versions/V1/model/a.onnx` → `model/a.onnx`). */
const pathOfName = (name: string): string => /^(?:.*?\/)?versions\/[^/]+\/(.*)$/.exec(name)?.[1] ?? name

const underPrefix = (location: ModelFileLocationType.ModelFileLocation, path: string): boolean =>
  location.path === "" || path === location.path || path.startsWith(`${location.path.replace(/\/$/, "")}/`)

const notFound = (location: string, detail?: string) =>
  new StageFileError({ location, problem: "not_found", ...(detail === undefined ? {} : { detail }) })

/** The version's files at or under `text`, sorted by path. */
export const list = (session: SnowflakeSessionShape, text: string, options: ListOptions = {}) =>
  Effect.gen(function* () {
    const location = yield* ModelFileLocation.parse(text)
    const shown = ModelFileLocation.format(location)
    const matches = yield* ListPattern.compile(shown, options.pattern)
    const result = yield* session.client.run(`LIST ${snowflakeString(shown)}`).pipe(
      Effect.mapError(
        (error) =>
          new StageFileError({
            location: shown,
            problem: /\b002003\b/.test(error.message) ? "not_found" : "unreadable",
            detail: error.message
          })
      )
    )
    const at = (name: string) => result.columns.findIndex((column) => column.name.toLowerCase() === name)
    const [nameAt, sizeAt, md5At, modifiedAt] = ["name", "size", "md5", "last_modified"].map(at)
    const entries: Array<StageEntry> = []
    for (const row of result.rows) {
      const name = row[nameAt!] ?? ""
      const path = pathOfName(name)
      if (!underPrefix(location, path) || !matches(path)) continue
      entries.push({
        location: ModelFileLocation.format({ ...location, path }),
        name: path,
        path,
        size: Number(row[sizeAt!] ?? 0),
        md5: options.withoutMd5 === true ? "" : (row[md5At!] ?? ""),
        lastModified: new Date(row[modifiedAt!] ?? 0)
      })
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  })

/** The one file at `text`, or StageFileError "not_found". */
const existingFile = (session: SnowflakeSessionShape, text: string) =>
  Effect.gen(function* () {
    const location = yield* ModelFileLocation.parse(text)
    const shown = ModelFileLocation.format(location)
    if (location.path === "")
      return yield* new InvalidStageLocation({
        input: text,
        reason: "it names a model version's folder; a file is read, so name one."
      })
    const entry = (yield* list(session, shown, { withoutMd5: true })).find((e) => e.path === location.path)
    if (entry === undefined) return yield* notFound(shown)
    return { location, shown, entry }
  })

/** GET the file into `folder`; its local path. */
const download = (session: SnowflakeSessionShape, shown: string, path: string, folder: string) =>
  Effect.gen(function* () {
    yield* keepingUmask(
      session.client.run(`GET ${snowflakeString(shown)} ${snowflakeString(`file://${folder}/`)}`)
    ).pipe(
      Effect.mapError(
        (error) => new StageFileError({ location: shown, problem: "unreadable", detail: error.message })
      )
    )
    const local = join(folder, path.slice(path.lastIndexOf("/") + 1))
    const found = yield* Effect.promise(() =>
      stat(local).then(
        (s) => s.isFile(),
        () => false
      )
    )
    if (!found) return yield* notFound(shown, "GET brought no file of that name back")
    return local
  })

export const read = (session: SnowflakeSessionShape, text: string) =>
  Stream.unwrap(
    Effect.gen(function* () {
      const { location, shown } = yield* existingFile(session, text)
      const folder = yield* privateFolder(shown)
      return streamDownloaded(yield* download(session, shown, location.path, folder), shown)
    })
  )

export const readBytes = (session: SnowflakeSessionShape, text: string, options: ReadBytesOptions = {}) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { location, shown, entry } = yield* existingFile(session, text)
      const limit = readLimit(options)
      if (entry.size > limit) return yield* tooLarge(shown, entry.size, limit)
      const folder = yield* privateFolder(shown)
      return yield* readDownloaded(yield* download(session, shown, location.path, folder), shown, limit)
    })
  )

export const size = (session: SnowflakeSessionShape, text: string) =>
  Effect.map(existingFile(session, text), ({ entry }) => entry.size)

export const exists = (session: SnowflakeSessionShape, text: string) =>
  Effect.gen(function* () {
    const location = yield* ModelFileLocation.parse(text)
    const entries = yield* list(session, text, { withoutMd5: true })
    return location.path === "" ? entries.length > 0 : entries.some((e) => e.path === location.path)
  }).pipe(
    Effect.catchIf(
      (error) => error._tag === "StageFileError" && error.problem === "not_found",
      () => Effect.succeed(false)
    )
  )

/** Writing, putting or removing a version's files: refused, before anything is sent. */
export const refuseChange = (text: string) =>
  Effect.fail(
    new InvalidStageLocation({
      input: text,
      reason:
        "model version files (snow://model/…) are read-only; a version's files are written by logging it (runbatch model log)."
    })
  )
