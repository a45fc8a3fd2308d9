/**
 * `PUT file:///… @stage[/dir]` and `GET @stage[/path] file:///dir/` through the driver's `LOCAL_FS`
 * stage type: the emulator answers with transfer instructions (`command`, `src_locations`, `stageInfo`
 * naming the stage's folder) and the driver copies the files itself, so the client and the emulator
 * must share a filesystem. Two driver behaviours are caught here, before the driver runs:
 *
 * - with LOCAL_FS it ignores `OVERWRITE = FALSE` (Snowflake's default) and replaces the file, so a PUT
 *   onto an existing name without `OVERWRITE = TRUE` is refused;
 * - a GET of a file that does not exist kills the client with an uncaught ENOENT, so a GET that
 *   matches no file is refused, as is one into a local folder that does not exist.
 *
 * Stage paths go through the account's checked paths: nothing is read or written outside the stage.
 */
import { mkdir, readdir, stat } from "node:fs/promises"
import { basename, dirname } from "node:path"
import { EmulatorSqlError, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { externalUrl, transferRefused } from "../ExternalStages.ts"
import type { Statement, StatementContext, StatementHandler } from "../Statement.ts"
import {
  booleanOption,
  listMatching,
  localPath,
  optionsFrom,
  stageLocation,
  twoArguments
} from "./StageSyntax.ts"
import { requireStage } from "./Stages.ts"

const refuse = (statement: Statement, code: string, sqlState: string, reason: string) =>
  new EmulatorSqlError({ statement: statement.text, code, sqlState, reason })

const isFile = (path: string) =>
  Effect.promise(() =>
    stat(path).then(
      (s) => s.isFile(),
      () => false
    )
  )

const isDirectory = (path: string) =>
  Effect.promise(() =>
    stat(path).then(
      (s) => s.isDirectory(),
      () => false
    )
  )

/** `*` and `?` of a file name pattern as a regular expression, as the driver expands them. */
const globOf = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`
  )

/** The local files a PUT source names (a file, or a `*` pattern in its folder). */
const sourceFiles = (statement: Statement, path: string) =>
  Effect.gen(function* () {
    const name = basename(path)
    if (!/[*?]/.test(name)) {
      if (!(yield* isFile(path)))
        return yield* refuse(
          statement,
          "253006",
          "58030",
          `File doesn't exist: ${path}. PUT reads a file the emulator can see (they share a filesystem).`
        )
      return [name]
    }
    const folder = dirname(path)
    const glob = globOf(name)
    const names = yield* Effect.promise(() =>
      readdir(folder, { withFileTypes: true }).then(
        (entries) => entries.filter((e) => e.isFile() && glob.test(e.name)).map((e) => e.name),
        () => [] as Array<string>
      )
    )
    if (names.length === 0) return yield* refuse(statement, "253006", "58030", `No file matches ${path}.`)
    return names
  })

/** Suffixes of files the driver does not compress again (it gzips everything else with AUTO_COMPRESS). */
const COMPRESSED = /\.(gz|bz2|zst|br|deflate|raw_deflate)$/i

export const stageInfo = (folder: string) => ({
  locationType: "LOCAL_FS",
  location: `${folder}/`,
  path: "",
  region: null,
  creds: {},
  isClientSideEncrypted: false
})

/** GET and PUT move files to and from internal stages only. */
const refuseExternal = (
  statement: Statement,
  context: StatementContext,
  command: "GET" | "PUT",
  location: StageLocation.StageLocation
) =>
  Effect.flatMap(externalUrl(context.home, location), (url) =>
    url === undefined ? Effect.void : Effect.fail(transferRefused(statement, command, location, url))
  )

export const put: StatementHandler = {
  kind: "PUT",
  matches: ({ keywords }) => keywords === "PUT" || keywords.startsWith("PUT "),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { source, target } = yield* twoArguments(
        statement,
        "write PUT file:///path/to/file @stage[/folder] [AUTO_COMPRESS = FALSE] [OVERWRITE = TRUE]"
      )
      const path = yield* localPath(statement, source.text)
      const options = yield* optionsFrom(statement, statement.tokens, target.next)
      const location = StageLocation.asDirectory(yield* stageLocation(target.text, context))
      yield* requireStage(statement, context, location)
      yield* refuseExternal(statement, context, "PUT", location)
      const workspace = yield* context.workspace
      const folder = yield* workspace.account.stagePath(location)
      const autoCompress = booleanOption(options, "AUTO_COMPRESS", true)
      const overwrite = booleanOption(options, "OVERWRITE", false)
      for (const name of yield* sourceFiles(statement, path)) {
        const stored = autoCompress && !COMPRESSED.test(name) ? `${name}.gz` : name
        const file = yield* StageLocation.child(location, stored, { isDirectory: false })
        // Checked even when overwriting: a name a link takes outside the stage is refused.
        const filePath = yield* workspace.account.stagePath(file)
        if (!overwrite && (yield* isFile(filePath)))
          return yield* refuse(
            statement,
            "000002",
            "0A000",
            `PUT onto the existing file ${StageLocation.format(file)} with OVERWRITE = FALSE is refused by the emulator (snowflake-sdk would replace it silently). Add OVERWRITE = TRUE, or REMOVE the file first.`
          )
      }
      yield* Effect.promise(() => mkdir(folder, { recursive: true }))
      const compression = options.get("SOURCE_COMPRESSION")?.toLowerCase()
      return {
        _tag: "Transfer",
        data: {
          command: "UPLOAD",
          src_locations: [path],
          autoCompress,
          // The driver throws on "none"; auto_detect leaves an uncompressed file as it is.
          sourceCompression:
            compression === undefined || compression === "none" ? "auto_detect" : compression,
          parallel: Number(options.get("PARALLEL") ?? 4),
          overwrite,
          stageInfo: stageInfo(folder),
          encryptionMaterial: null
        }
      } as const
    })
}

export const get: StatementHandler = {
  kind: "GET",
  matches: ({ keywords }) => keywords === "GET" || keywords.startsWith("GET "),
  run: (statement, context) =>
    Effect.gen(function* () {
      const { source, target } = yield* twoArguments(
        statement,
        "write GET @stage/path file:///local/folder/ [PATTERN = 'regex']"
      )
      const location = yield* stageLocation(source.text, context)
      const localFolder = yield* localPath(statement, target.text)
      const options = yield* optionsFrom(statement, statement.tokens, target.next)
      yield* requireStage(statement, context, location)
      yield* refuseExternal(statement, context, "GET", location)
      if (!(yield* isDirectory(localFolder)))
        return yield* refuse(
          statement,
          "253006",
          "58030",
          `The local folder ${localFolder} does not exist; create it before GET.`
        )
      const workspace = yield* context.workspace
      const { entries, pattern } = yield* listMatching(context, location, options)
      if (entries.length === 0)
        return yield* refuse(
          statement,
          "002003",
          "02000",
          `No file of the stage matches ${StageLocation.format(location)}${pattern === undefined ? "" : ` with PATTERN '${pattern}'`}; GET has nothing to download.`
        )
      const root = yield* workspace.account.stagePath({ ...location, path: "", isDirectory: true })
      // Each file through the checked paths too, so none is read through a link out of the stage.
      for (const entry of entries)
        yield* workspace.account.stagePath(yield* StageLocation.parse(entry.location))
      return {
        _tag: "Transfer",
        data: {
          command: "DOWNLOAD",
          src_locations: entries.map((entry) => entry.path),
          localLocation: localFolder,
          parallel: Number(options.get("PARALLEL") ?? 10),
          stageInfo: stageInfo(root),
          encryptionMaterial: null
        }
      } as const
    })
}
