/**
 * Reading a TOML file that may hold credentials (connections.toml, config.toml): absent is not an
 * error, writable by group or others is refused (as Snowflake's drivers refuse it: another user could
 * redirect the connection and collect the password), and a syntax error is reported by line and
 * column without the parser's excerpt of the file, which could show a password.
 */
import { readFile, stat } from "node:fs/promises"
import { ConnectionFileInvalid, ConnectionFileUnsafe, LocalFileError } from "@runbatch/spec"
import { Effect } from "effect"
import { parse, TomlError, type TomlTableWithoutBigInt, type TomlValueWithoutBigInt } from "smol-toml"

export type TomlTable = TomlTableWithoutBigInt
export type TomlValue = TomlValueWithoutBigInt

/** A TOML table (not an array, a date or a scalar). */
export const isTomlTable = (value: TomlValue | undefined): value is TomlTable =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)

const GROUP_WRITE = 0o020
const OTHERS_WRITE = 0o002

const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Who besides the owner may write a file of `mode`, if anyone. */
export const writableByOthers = (mode: number): string | undefined => {
  const group = (mode & GROUP_WRITE) !== 0
  const others = (mode & OTHERS_WRITE) !== 0
  return group && others ? "group and others" : group ? "group" : others ? "others" : undefined
}

/** The first line of smol-toml's message, without its prefix and its excerpt of the document. */
const syntaxReason = (error: TomlError): string =>
  error.message
    .replace(/^Invalid TOML document: /, "")
    .split("\n")[0]!
    .trim()

/** The file's tables, or `undefined` when there is no such file. */
export const readPrivateTomlFile = (
  file: string
): Effect.Effect<TomlTable | undefined, ConnectionFileUnsafe | ConnectionFileInvalid | LocalFileError> =>
  Effect.gen(function* () {
    const stats = yield* Effect.tryPromise({
      try: () => stat(file),
      catch: (error) => error
    }).pipe(
      Effect.catch((error) =>
        errorCode(error) === "ENOENT" || errorCode(error) === "ENOTDIR"
          ? Effect.succeed(undefined)
          : Effect.fail(new LocalFileError({ path: file, reason: messageOf(error) }))
      )
    )
    if (stats === undefined) return undefined
    if (!stats.isFile()) return yield* new LocalFileError({ path: file, reason: "it is not a file." })
    // Windows has no such permission bits; its ACLs are the user's profile's.
    const writableBy = process.platform === "win32" ? undefined : writableByOthers(stats.mode)
    if (writableBy !== undefined)
      return yield* new ConnectionFileUnsafe({
        file,
        mode: `0${(stats.mode & 0o777).toString(8)}`,
        writableBy
      })
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (error) => new LocalFileError({ path: file, reason: messageOf(error) })
    })
    return yield* Effect.try({
      try: () => parse(text, { unsafeKeyBehaviour: "throw" }),
      catch: (error) =>
        error instanceof TomlError
          ? new ConnectionFileInvalid({
              file,
              reason: syntaxReason(error),
              line: error.line,
              column: error.column
            })
          : new ConnectionFileInvalid({ file, reason: "it cannot be parsed as TOML." })
    })
  })
