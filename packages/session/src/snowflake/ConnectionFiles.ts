/**
 * The connections defined in a Snowflake home folder (`SNOWFLAKE_HOME`, default `~/.snowflake`), as
 * Snowflake's own tools read it: `connections.toml` holds `[NAME]` tables (runbatch also accepts
 * `[connections.NAME]` there); `config.toml` holds `default_connection_name` and `[connections.NAME]`
 * tables. When connections.toml defines any connection, config.toml's connections are ignored.
 */
import { join } from "node:path"
import { ConnectionFileInvalid, type ConnectionFileUnsafe, type LocalFileError } from "@runbatch/spec"
import { Effect } from "effect"
import { isTomlTable, readPrivateTomlFile, type TomlTable } from "./PrivateTomlFile.ts"

export interface DefinedConnection {
  /** The file whose table defines it. */
  readonly file: string
  readonly values: TomlTable
}

export interface ConnectionFiles {
  readonly connectionsFile: string
  readonly configFile: string
  /** The files that exist and were read. */
  readonly read: ReadonlyArray<string>
  /** The connections in force, by name. */
  readonly connections: ReadonlyMap<string, DefinedConnection>
  /** config.toml's `default_connection_name`, if it has one. */
  readonly defaultName: string | undefined
}

export type ConnectionFilesError = ConnectionFileUnsafe | ConnectionFileInvalid | LocalFileError

/** `[connections.NAME]` tables of `doc`, and with `topLevel` its `[NAME]` tables too. */
const connectionsIn = (
  file: string,
  doc: TomlTable,
  topLevel: boolean
): Effect.Effect<Map<string, DefinedConnection>, ConnectionFileInvalid> =>
  Effect.gen(function* () {
    const found = new Map<string, DefinedConnection>()
    const add = (name: string, values: TomlTable): Effect.Effect<void, ConnectionFileInvalid> =>
      found.has(name)
        ? Effect.fail(
            new ConnectionFileInvalid({
              file,
              reason: `the connection "${name}" is defined twice (as [${name}] and as [connections.${name}]); keep one.`
            })
          )
        : Effect.sync(() => {
            found.set(name, { file, values })
          })
    const nested = doc["connections"]
    if (nested !== undefined) {
      if (!isTomlTable(nested))
        return yield* new ConnectionFileInvalid({
          file,
          reason: "`connections` must be a table of connections ([connections.NAME])."
        })
      for (const [name, values] of Object.entries(nested)) {
        if (!isTomlTable(values))
          return yield* new ConnectionFileInvalid({
            file,
            reason: `connections.${name} is not a table: each connection is a table of keys ([connections.${name}]).`
          })
        yield* add(name, values)
      }
    }
    if (topLevel)
      // Top-level values that are not tables are not connections (nor settings runbatch reads).
      for (const [name, values] of Object.entries(doc))
        if (name !== "connections" && isTomlTable(values)) yield* add(name, values)
    return found
  })

const defaultNameIn = (
  file: string,
  doc: TomlTable
): Effect.Effect<string | undefined, ConnectionFileInvalid> => {
  const value = doc["default_connection_name"]
  return value === undefined || typeof value === "string"
    ? Effect.succeed(value === "" ? undefined : value)
    : Effect.fail(new ConnectionFileInvalid({ file, reason: "default_connection_name must be a string." }))
}

/** What `home`'s connections.toml and config.toml define (neither need exist). */
export const readConnectionFiles = (home: string): Effect.Effect<ConnectionFiles, ConnectionFilesError> =>
  Effect.gen(function* () {
    const connectionsFile = join(home, "connections.toml")
    const configFile = join(home, "config.toml")
    const connectionsDoc = yield* readPrivateTomlFile(connectionsFile)
    const configDoc = yield* readPrivateTomlFile(configFile)
    const fromConnections =
      connectionsDoc === undefined
        ? new Map<string, DefinedConnection>()
        : yield* connectionsIn(connectionsFile, connectionsDoc, true)
    const fromConfig =
      configDoc === undefined
        ? new Map<string, DefinedConnection>()
        : yield* connectionsIn(configFile, configDoc, false)
    return {
      connectionsFile,
      configFile,
      read: [
        ...(connectionsDoc === undefined ? [] : [connectionsFile]),
        ...(configDoc === undefined ? [] : [configFile])
      ],
      connections: fromConnections.size > 0 ? fromConnections : fromConfig,
      defaultName: configDoc === undefined ? undefined : yield* defaultNameIn(configFile, configDoc)
    }
  })
