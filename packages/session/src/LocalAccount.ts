/**
 * The embedded local account: a home folder (`--home`, `RUNBATCH_HOME`, default `./.runbatch`) laid
 * out as `LocalLayout` describes, and the current database and schema. Every service's local backend
 * (Sql, StageStore, ModelRegistry, the local launcher) resolves its paths here, so a stage location
 * can never resolve outside its stage folder, not even through a symbolic link.
 */
import { lstat, mkdir, realpath } from "node:fs/promises"
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import { LocalFileError, LocalLayout, ModelFileLocation, StageFileError, StageLocation } from "@runbatch/spec"
import { Context, Effect, Layer } from "effect"

export const DEFAULT_HOME = ".runbatch"
export const DEFAULT_DATABASE = "RUNBATCH"
export const DEFAULT_SCHEMA = "PUBLIC"

export interface LocalAccountOptions {
  /** The home folder; default `$RUNBATCH_HOME` or `./.runbatch`. */
  readonly home?: string
  /** Current database for unqualified names; default `RUNBATCH`. */
  readonly database?: string
  /** Current schema for unqualified names; default `PUBLIC`. */
  readonly schema?: string
}

export interface LocalAccountShape {
  /** Absolute path of the home folder. */
  readonly home: string
  readonly database: string
  readonly schema: string
  /**
   * The absolute path a stage location maps to, checked to stay inside its stage folder after every
   * symbolic link is resolved (for paths that exist) or after its deepest existing ancestor is
   * (for paths about to be written). Fails with StageFileError "escapes_stage" otherwise.
   */
  readonly stagePath: (location: StageLocation.StageLocation) => Effect.Effect<string, StageFileError>
  /** The same for a model version file, inside its version folder. */
  readonly modelFilePath: (
    location: ModelFileLocation.ModelFileLocation
  ) => Effect.Effect<string, StageFileError>
}

export class LocalAccount extends Context.Service<LocalAccount, LocalAccountShape>()(
  "@runbatch/session/LocalAccount"
) {
  static readonly layer = (options: LocalAccountOptions = {}): Layer.Layer<LocalAccount> =>
    Layer.sync(LocalAccount, () => make(options))
}

const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path)
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel))
}

/** realpath of `path`, or of its deepest existing ancestor joined with the rest. */
const realpathOfExisting = async (path: string): Promise<string> => {
  const missing: Array<string> = []
  let current = path
  for (;;) {
    try {
      const real = await realpath(current)
      return missing.length === 0 ? real : join(real, ...missing.reverse())
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // ENOTDIR: a file stands where a folder of the path would be; the rest does not exist either.
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error
      const parent = dirname(current)
      if (parent === current) return path
      missing.push(current.slice(parent.length + 1))
      current = parent
    }
  }
}

// Stage and version folders resolve the same way for the life of the process; resolving them once
// saves a filesystem round trip on every read and write (only existing folders are remembered).
const realRoots = new Map<string, string>()
const realRootOf = async (root: string): Promise<string> => {
  const known = realRoots.get(root)
  if (known !== undefined) return known
  const real = await realpathOfExisting(root)
  if (
    await realpath(root).then(
      () => true,
      () => false
    )
  )
    realRoots.set(root, real)
  return real
}

/**
 * `target` joined under `root`, refused when it (or, for a dangling symbolic link, what it points to)
 * resolves outside `root`.
 */
export const containedPath = (root: string, relativePath: string, display: string) =>
  Effect.tryPromise({
    try: async () => {
      const target = join(root, relativePath)
      if (!isInside(root, target)) return undefined
      const realRoot = await realRootOf(root)
      const realTarget = await realpathOfExisting(target)
      if (!isInside(realRoot, realTarget)) return undefined
      // A dangling symbolic link has no realpath; refuse it rather than guess where a write would go.
      const stats = await lstat(target).catch(() => undefined)
      if (stats?.isSymbolicLink() === true) {
        const resolvedLink = await realpath(target).catch(() => undefined)
        if (resolvedLink === undefined) return undefined
      }
      return target
    },
    catch: (error) => new StageFileError({ location: display, problem: "unreadable", detail: String(error) })
  }).pipe(
    Effect.flatMap((path) =>
      path === undefined
        ? Effect.fail(new StageFileError({ location: display, problem: "escapes_stage" }))
        : Effect.succeed(path)
    )
  )

export const make = (options: LocalAccountOptions = {}): LocalAccountShape => {
  const home = resolve(options.home ?? process.env["RUNBATCH_HOME"] ?? DEFAULT_HOME)
  return {
    home,
    database: options.database ?? DEFAULT_DATABASE,
    schema: options.schema ?? DEFAULT_SCHEMA,
    stagePath: (location) =>
      containedPath(LocalLayout.stageDir(home, location), location.path, StageLocation.format(location)),
    modelFilePath: (location) =>
      containedPath(
        LocalLayout.versionDir(
          home,
          { database: location.database, schema: location.schema, name: location.model },
          location.version
        ),
        location.path,
        ModelFileLocation.format(location)
      )
  }
}

/** Create a folder (and its parents) if missing: databases, schemas and stages come into being on use. */
export const ensureDir = (path: string): Effect.Effect<void, LocalFileError> =>
  Effect.tryPromise({
    try: () => mkdir(path, { recursive: true }).then(() => undefined),
    catch: (error) => new LocalFileError({ path, reason: (error as Error).message })
  })
