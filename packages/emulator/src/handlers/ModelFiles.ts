/**
 * A model version's files as `snow://model/DB.SCHEMA.MODEL/versions/V/…` locations: `LIST
 * 'snow://model/…'` and `GET 'snow://model/…' 'file:///dir/'`, served from the version's folder in the
 * local registry (only the files of Snowflake's layout: the local registry's own bookkeeping,
 * `user_data.json` and `version.json`, is not listed). GET answers as for a stage (LOCAL_FS transfer
 * instructions), so snowflake-sdk downloads the files itself. How Snowflake names the files LIST shows
 * for a model is unverified on a real account; here `name` is the path from `versions/`.
 */
import { createHash } from "node:crypto"
import { readdir, readFile, stat } from "node:fs/promises"
import { join, relative } from "node:path"
import { LocalRegistry, ModelVersionFiles } from "@runbatch/registry-client"
import { EmulatorSqlError, Identifier, LocalLayout, ModelFileLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { column } from "../RowTypes.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import { rows } from "../StatementRows.ts"
import { stageInfo } from "./FileTransfer.ts"
import { afterWords, argumentAt, localPath, syntaxError } from "./StageSyntax.ts"

/** The local registry's own files, which are not part of Snowflake's version layout. */
const BOOKKEEPING = new Set([ModelVersionFiles.USER_DATA, ModelVersionFiles.VERSION_RECORD])

const isModelLocation = (statement: Statement, words: number) => {
  const argument = argumentAt(statement.tokens, afterWords(statement.tokens, words))
  return argument !== undefined && ModelFileLocation.isModelFileLocation(argument.text)
}

interface VersionFile {
  /** Inside the version folder. */
  readonly path: string
  readonly size: number
  readonly md5: string
  readonly lastModified: Date
}

/** The version's folder and its files at or under the location's path. */
const filesAt = (statement: Statement, context: StatementContext, text: string) =>
  Effect.gen(function* () {
    const location = yield* ModelFileLocation.parse(text)
    const registry = LocalRegistry.make((yield* context.workspace).account)
    const model = Identifier.formatQualified({
      database: location.database,
      schema: location.schema,
      name: location.model
    })
    // The version must exist (and be complete) for its files to be there.
    yield* registry.getVersion(model, Identifier.quote(location.version)).pipe(
      Effect.mapError(
        (e) =>
          new EmulatorSqlError({
            statement: statement.text,
            code: "002003",
            sqlState: "02000",
            reason: `SQL compilation error:\n${e.message}`
          })
      )
    )
    const folder = LocalLayout.versionDir(
      context.home,
      { database: location.database, schema: location.schema, name: location.model },
      location.version
    )
    const all = yield* Effect.promise(() => readdir(folder, { recursive: true, withFileTypes: true }))
    const files: Array<VersionFile> = []
    for (const entry of all) {
      if (!entry.isFile()) continue
      const path = relative(folder, join(entry.parentPath, entry.name)).split("\\").join("/")
      if (BOOKKEEPING.has(path)) continue
      if (
        location.path !== "" &&
        path !== location.path &&
        !path.startsWith(`${location.path.replace(/\/$/, "")}/`)
      )
        continue
      const full = join(folder, path)
      const [info, bytes] = yield* Effect.promise(() => Promise.all([stat(full), readFile(full)]))
      files.push({
        path,
        size: info.size,
        md5: createHash("md5").update(bytes).digest("hex"),
        lastModified: info.mtime
      })
    }
    return { location, folder, files: files.sort((a, b) => a.path.localeCompare(b.path)) }
  })

export const listModelFiles: StatementHandler = {
  kind: "LIST snow://model",
  matches: (statement) =>
    (statement.keywords === "LIST" || statement.keywords === "LS") && isModelLocation(statement, 1),
  run: (statement, context) =>
    Effect.gen(function* () {
      const argument = argumentAt(statement.tokens, afterWords(statement.tokens, 1))!
      const { location, files } = yield* filesAt(statement, context, argument.text)
      const prefix = `versions/${Identifier.format(location.version)}/`
      return rows(
        [
          ["name", "text"],
          column("size", "fixed", { precision: 38 }),
          ["md5", "text"],
          ["last_modified", "text"]
        ],
        files.map((f) => [`${prefix}${f.path}`, String(f.size), f.md5, f.lastModified.toUTCString()])
      )
    })
}

export const getModelFiles: StatementHandler = {
  kind: "GET snow://model",
  matches: (statement) =>
    (statement.keywords === "GET" || statement.keywords.startsWith("GET ")) && isModelLocation(statement, 1),
  run: (statement, context) =>
    Effect.gen(function* () {
      const source = argumentAt(statement.tokens, afterWords(statement.tokens, 1))!
      const target = argumentAt(statement.tokens, source.next)
      if (target === undefined)
        return yield* syntaxError(
          statement,
          "write GET 'snow://model/DB.SCHEMA.MODEL/versions/V/path' file:///local/folder/"
        )
      const localFolder = yield* localPath(statement, target.text)
      const { folder, files } = yield* filesAt(statement, context, source.text)
      if (files.length === 0)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "002003",
          sqlState: "02000",
          reason: `No file of the model version matches ${source.text}; GET has nothing to download.`
        })
      const isFolder = yield* Effect.promise(() =>
        stat(localFolder).then(
          (s) => s.isDirectory(),
          () => false
        )
      )
      if (!isFolder)
        return yield* new EmulatorSqlError({
          statement: statement.text,
          code: "253006",
          sqlState: "58030",
          reason: `The local folder ${localFolder} does not exist; create it before GET.`
        })
      return {
        _tag: "Transfer",
        data: {
          command: "DOWNLOAD",
          src_locations: files.map((f) => f.path),
          localLocation: localFolder,
          parallel: 10,
          stageInfo: stageInfo(folder),
          encryptionMaterial: null
        }
      } as const
    })
}
