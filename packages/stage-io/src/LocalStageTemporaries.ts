/**
 * Removing what writers killed mid-write left in a local stage folder. In normal mode a write goes
 * through a hidden temporary file (`.runbatch-tmp-<pid>-<uuid>`) that is linked to its final name and
 * then removed; a writer killed before the removal leaves it behind — empty or partial, or a second
 * name of the finished file. Listings never show these files, so nothing else ever removes them. Only
 * whoever knows that every writer of a folder has ended may sweep it (a live writer's write would fail).
 */
import { unlink } from "node:fs/promises"
import type { FileLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { display, isMissing, type LocalStage, parseWritable, reasonOf, unreadable } from "./LocalStage.ts"
import { walkScope } from "./LocalStageList.ts"
import type { StageStoreShape } from "./StageStore.ts"

/** The folder a location's paths are relative to: the folder itself, or a prefix's folder. */
const folderPathOf = (location: { readonly path: string; readonly isDirectory: boolean }): string => {
  if (location.isDirectory) return location.path
  const slash = location.path.lastIndexOf("/")
  return slash < 0 ? "" : location.path.slice(0, slash)
}

export const removeTemporaryFiles = (stage: LocalStage): StageStoreShape["removeTemporaryFiles"] =>
  Effect.fn("StageStore.removeTemporaryFiles")(function* (text: string, options = {}) {
    const location = yield* parseWritable(stage, text, "removed")
    const file: FileLocation.FileLocation = { kind: "stage", location }
    const base = folderPathOf(location)
    const depth = base === "" ? 0 : base.split("/").length
    const matches =
      options.recursive === false ? (path: string) => path.split("/").length === depth + 1 : () => true
    const { files } = yield* walkScope(stage, file, text, { matches, temporaries: true })
    return yield* Effect.tryPromise({
      try: async () => {
        let removed = 0
        for (const walked of files) {
          try {
            await unlink(walked.localPath)
            removed++
          } catch (error) {
            if (!isMissing(error)) throw error
          }
        }
        return removed
      },
      catch: (error) => unreadable(display(file), `cannot remove its temporary files: ${reasonOf(error)}`)
    })
  })
