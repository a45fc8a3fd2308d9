/**
 * What the local StageStore's operations share: the account, object-store mode, and how a location
 * becomes a checked local path — through `LocalAccount`, which refuses paths a symbolic link would take
 * outside their stage — or a location that may be written (a stage file, never a model file, a folder
 * or a temporary name).
 */
import { basename } from "node:path"
import type { LocalAccountShape } from "@runbatch/account"
import { FileLocation, InvalidStageLocation, StageFileError, type StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { isTempName, TEMP_PREFIX } from "./LocalStageListing.ts"

export interface LocalStage {
  readonly account: LocalAccountShape
  /** The current database and schema: unqualified stage names resolve here. */
  readonly context: { readonly database: string; readonly schema: string }
  /** Write each file directly under its final name, opened exclusively (see LocalStageStore). */
  readonly objectStore: boolean
}

export const codeOf = (error: unknown): string | undefined =>
  (error as NodeJS.ErrnoException | undefined)?.code

export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

export const isMissing = (error: unknown): boolean =>
  codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR"

export const unreadable = (location: string, detail: string) =>
  new StageFileError({ location, problem: "unreadable", detail })

export const cannotWrite = (where: string, error: unknown) =>
  new StageFileError({ location: where, problem: "unwritable", detail: reasonOf(error) })

export const parse = (stage: LocalStage, text: string) => FileLocation.parse(text, stage.context)

export const localPathOf = (stage: LocalStage, file: FileLocation.FileLocation) =>
  file.kind === "stage" ? stage.account.stagePath(file.location) : stage.account.modelFilePath(file.location)

/**
 * The local path, or undefined when a file stands where one of its folders should be (`a` is a
 * file, `a/b` is asked for): nothing can exist there. LocalAccount reports that case as an
 * unreadable ENOTDIR.
 */
export const localPathUnlessBlocked = (stage: LocalStage, file: FileLocation.FileLocation) =>
  localPathOf(stage, file).pipe(
    Effect.catchIf(
      (error) => error.problem === "unreadable" && (error.detail ?? "").includes("ENOTDIR"),
      () => Effect.succeed(undefined)
    )
  )

export const display = (file: FileLocation.FileLocation): string => FileLocation.format(file)

/** A stage location (file or folder) that may be written or removed: never a model file. */
export const parseWritable = (
  stage: LocalStage,
  text: string,
  what: string
): Effect.Effect<StageLocation.StageLocation, InvalidStageLocation> =>
  Effect.flatMap(parse(stage, text), (file) => {
    if (file.kind === "model") {
      return Effect.fail(
        new InvalidStageLocation({
          input: text,
          reason: `model version files (snow://model/…) are read-only; they are ${what} only through the model registry.`
        })
      )
    }
    return Effect.succeed(file.location)
  })

/** A stage file that may be written: not a model file, not a folder, not a temp name. */
export const parseWritableFile = (
  stage: LocalStage,
  text: string
): Effect.Effect<StageLocation.StageLocation, InvalidStageLocation> =>
  Effect.flatMap(parseWritable(stage, text, "written"), (location) => {
    if (location.isDirectory) {
      return Effect.fail(
        new InvalidStageLocation({
          input: text,
          reason: "it names a folder (it ends with / or is the stage root); write to a file name."
        })
      )
    }
    if (isTempName(basename(location.path))) {
      return Effect.fail(
        new InvalidStageLocation({
          input: text,
          reason: `names beginning with ${TEMP_PREFIX} are reserved for runbatch's temporary files.`
        })
      )
    }
    return Effect.succeed(location)
  })
