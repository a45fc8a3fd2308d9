/**
 * The embedded local account: a home folder (`--home`, `RUNBATCH_HOME`, default `./.runbatch`) laid
 * out as `LocalLayout` describes, and the current database and schema. Every service's local backend
 * (Sql, StageStore, ModelRegistry, the local launcher) resolves its paths here or through
 * `LocalHome`, so a stage location can never resolve outside its stage folder, not even through a
 * symbolic link: the home may be a link, no folder below it down to a stage (or model version) may be
 * one, and links inside a stage must stay inside it.
 */
import { mkdir } from "node:fs/promises"
import { join, relative, resolve } from "node:path"
import {
  LocalFileError,
  LocalHome,
  LocalLayout,
  ModelFileLocation,
  StageFileError,
  StageLocation
} from "@runbatch/spec"
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
  /**
   * Stages mounted as folders outside the home, by `StageLocation.stageKey` (a job service's stage
   * volumes, in a container): when given, these are the only stages there are, each at its folder.
   */
  readonly stageMounts?: Readonly<Record<string, string>>
}

export interface LocalAccountShape {
  /** Absolute path of the home folder. */
  readonly home: string
  readonly database: string
  readonly schema: string
  /** The stages mounted outside the home, when this account has only those (LocalAccountOptions). */
  readonly stageMounts?: Readonly<Record<string, string>>
  /**
   * The absolute path a stage location maps to, under the home's real path, checked to stay inside its
   * stage folder after every symbolic link is resolved (for paths that exist) or after its deepest
   * existing ancestor is (for paths about to be written). Fails with StageFileError "escapes_stage"
   * otherwise, and when a folder from the home down to the stage is a symbolic link (the detail names
   * it).
   */
  readonly stagePath: (location: StageLocation.StageLocation) => Effect.Effect<string, StageFileError>
  /** The same for a model version file, inside its version folder. */
  readonly modelFilePath: (
    location: ModelFileLocation.ModelFileLocation
  ) => Effect.Effect<string, StageFileError>
}

export class LocalAccount extends Context.Service<LocalAccount, LocalAccountShape>()(
  "@runbatch/account/LocalAccount"
) {
  static readonly layer = (options: LocalAccountOptions = {}): Layer.Layer<LocalAccount> =>
    Layer.sync(LocalAccount, () => make(options))
}

const escapes = (display: string, detail?: string) =>
  new StageFileError({
    location: display,
    problem: "escapes_stage",
    ...(detail === undefined ? {} : { detail })
  })

/**
 * `relativePath` under `root` (a stage or version folder that `LocalLayout` built under `home`), as
 * the real path to operate on. Refused with StageFileError "escapes_stage" when a folder from the
 * home down to `root` is a symbolic link (LocalHome's rule: none below the home may be), or when the
 * path resolves outside `root` through a link inside it, or through a link to nothing (a write could
 * land anywhere). Links inside `root` that stay inside it are allowed, and kept in the returned path:
 * removing a link removes the link, not what it points to.
 */
export const containedPath = (home: string, root: string, relativePath: string, display: string) =>
  Effect.tryPromise({
    try: async (): Promise<string | StageFileError> => {
      const target = join(root, relativePath)
      if (!LocalHome.isInside(root, target)) return escapes(display)
      const long = LocalHome.nameTooLong(home, target)
      if (long !== undefined && long._tag === "NameTooLong")
        return new StageFileError({
          location: display,
          problem: "name_too_long",
          detail: LocalHome.linkReason(long)
        })
      // One realpath answers for the whole path: when it lands under the real home's copy of `root`,
      // no folder from the home to `root` is a link (a real path holds no links), and the target stays
      // in its stage. Only otherwise are the folders looked at one by one, to say which is the link.
      const realRoot = join(await LocalHome.realHome(home), relative(home, root))
      const realTarget = await LocalHome.realpathOfExisting(target)
      if (realTarget !== undefined && LocalHome.isInside(realRoot, realTarget))
        return join(realRoot, relativePath)
      const placement = await LocalHome.locate(home, root)
      if (placement._tag === "NameTooLong")
        return new StageFileError({
          location: display,
          problem: "name_too_long",
          detail: LocalHome.linkReason(placement)
        })
      if (placement._tag === "Link") return escapes(display, LocalHome.linkReason(placement))
      // The root is real but spelt otherwise on disk (a case-insensitive filesystem).
      if (realTarget !== undefined && LocalHome.isInside(placement.path, realTarget))
        return join(placement.path, relativePath)
      return escapes(display)
    },
    catch: (error) => new StageFileError({ location: display, problem: "unreadable", detail: String(error) })
  }).pipe(Effect.flatMap((path) => (typeof path === "string" ? Effect.succeed(path) : Effect.fail(path))))

/** A stage key (`"ML"."PUBLIC"."S"`) as users write the stage (`@ML.PUBLIC.S`). */
const shownKey = (key: string): string =>
  Effect.runSync(
    StageLocation.parse(`@${key}`).pipe(
      Effect.map((location) => `@${StageLocation.formatStage(location)}`),
      Effect.orElseSucceed(() => key)
    )
  )

/** A stage mounted at `folder`: the folder is its root, as the home is for a stage inside it. */
const mountedPath = (mounts: Readonly<Record<string, string>>, location: StageLocation.StageLocation) => {
  const folder = mounts[StageLocation.stageKey(location)]
  const display = StageLocation.format(location)
  if (folder === undefined)
    return Effect.fail(
      new StageFileError({
        location: display,
        problem: "not_found",
        detail: `the stage @${StageLocation.formatStage(location)} is not mounted here; the mounted stages are ${Object.keys(mounts).map(shownKey).join(", ") || "none"} (a job service mounts the stages of its plan)`
      })
    )
  return containedPath(folder, folder, location.path, display)
}

export const make = (options: LocalAccountOptions = {}): LocalAccountShape => {
  const home = resolve(options.home ?? process.env["RUNBATCH_HOME"] ?? DEFAULT_HOME)
  const mounts =
    options.stageMounts === undefined
      ? undefined
      : Object.fromEntries(Object.entries(options.stageMounts).map(([key, folder]) => [key, resolve(folder)]))
  return {
    home,
    database: options.database ?? DEFAULT_DATABASE,
    schema: options.schema ?? DEFAULT_SCHEMA,
    ...(mounts === undefined ? {} : { stageMounts: mounts }),
    stagePath: (location) =>
      mounts !== undefined
        ? mountedPath(mounts, location)
        : containedPath(
            home,
            LocalLayout.stageDir(home, location),
            location.path,
            StageLocation.format(location)
          ),
    modelFilePath: (location) =>
      containedPath(
        home,
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
