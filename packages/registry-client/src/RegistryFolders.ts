/**
 * Where the local registry's folders and files lie under the account's home (see LocalRegistry), each
 * checked against symbolic links just before use, and the small helpers every operation shares.
 */
import { join } from "node:path"
import type { LocalAccountShape } from "@runbatch/account"
import { Identifier, type InvalidIdentifier, LocalFileError, LocalHome, LocalLayout } from "@runbatch/spec"
import { Effect, Schema } from "effect"
import { readTextIfExists } from "./LocalFiles.ts"
import type { ModelName, RegistryScope } from "./ModelVersionInfo.ts"

export const MODEL_RECORD = "model.json"
export const INCOMING = ".incoming"
export const DELETED = ".deleted"
/** A log still copying after this long is taken for a crashed one, and its leftovers are removed. */
export const STALE_INCOMING_MILLIS = 24 * 60 * 60 * 1000

/** A JSON file's decoded content, or undefined when it is missing or does not decode. */
export const decodeJson = <A>(schema: Schema.Decoder<A>, text: string | undefined): A | undefined => {
  if (text === undefined) return undefined
  const decoded = Schema.decodeUnknownExit(Schema.fromJsonString(schema))(text)
  return decoded._tag === "Success" ? decoded.value : undefined
}

/**
 * The identifier a folder stands for, or undefined for folders runbatch did not name: dotted ones
 * (staging, trash) and stray ones whose percent-encoding does not decode, or would not encode back the
 * same way.
 */
export const nameOf = (folder: string): string | undefined => {
  if (folder.startsWith(".")) return undefined
  try {
    const name = LocalLayout.fromSegment(folder)
    return LocalLayout.segment(name) === folder ? name : undefined
  } catch {
    return undefined
  }
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

/** The registry of one account, for the models of `scope` (unqualified names resolve there). */
export interface RegistryFolders {
  readonly account: LocalAccountShape
  readonly scope: RegistryScope
  /** The clock for creation times. */
  readonly now: () => Date
  readonly schemaDir: (scope: RegistryScope) => string
  readonly modelDir: (model: ModelName) => string
  readonly versionsDir: (model: ModelName) => string
  readonly versionDir: (model: ModelName, version: string) => string
  /** The real path of `path`, or LocalFileError when a folder or file of it below the home is a link. */
  readonly inHome: (path: string) => Effect.Effect<string, LocalFileError>
  /** A registry file's text (undefined when it does not exist), read through its checked real path. */
  readonly readText: (path: string) => Effect.Effect<string | undefined, LocalFileError>
  readonly resolveName: (name: string) => Effect.Effect<ModelName, InvalidIdentifier>
}

export const makeRegistryFolders = (
  account: LocalAccountShape,
  scope: RegistryScope,
  now: () => Date
): RegistryFolders => {
  const schemaDir = (s: RegistryScope) =>
    join(
      LocalLayout.registryDir(account.home),
      LocalLayout.segment(s.database),
      LocalLayout.segment(s.schema)
    )
  const modelDir = (model: ModelName) => LocalLayout.modelDir(account.home, model)
  const versionsDir = (model: ModelName) => join(modelDir(model), "versions")
  const versionDir = (model: ModelName, version: string) =>
    LocalLayout.versionDir(account.home, model, version)

  /**
   * The real path of `path` (as the layout names it under the home), or LocalFileError when a folder
   * or file of it below the home is a symbolic link.
   */
  const inHome = (path: string): Effect.Effect<string, LocalFileError> =>
    Effect.tryPromise({
      try: () => LocalHome.locate(account.home, path),
      catch: (error) => new LocalFileError({ path, reason: String(error) })
    }).pipe(
      Effect.flatMap((placement) =>
        placement._tag === "Real"
          ? Effect.succeed(placement.path)
          : Effect.fail(new LocalFileError({ path: placement.link, reason: LocalHome.linkReason(placement) }))
      )
    )

  /** A registry file's text (undefined when it does not exist), read through its checked real path. */
  const readText = (path: string) => Effect.flatMap(inHome(path), readTextIfExists)

  const resolveName = (name: string): Effect.Effect<ModelName, InvalidIdentifier> =>
    Identifier.parseFullyQualified(name, scope)

  return { account, scope, now, schemaDir, modelDir, versionsDir, versionDir, inHome, readText, resolveName }
}
