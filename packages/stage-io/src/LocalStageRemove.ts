/**
 * Removing local stage files: every file a location covers (as a listing of it finds them), then the
 * folders that leaves empty, deepest first — never the stage itself. Model version files are never
 * removed here.
 */
import { readdir, rmdir, unlink } from "node:fs/promises"
import { dirname, join, sep } from "node:path"
import type { FileLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { display, isMissing, type LocalStage, parseWritable, reasonOf, unreadable } from "./LocalStage.ts"
import { walkScope } from "./LocalStageList.ts"
import type { StageStoreShape } from "./StageStore.ts"

/** Remove the files a location covers (a file, a folder, a prefix); returns how many went. */
export const remove = (stage: LocalStage): StageStoreShape["remove"] =>
  Effect.fn("StageStore.remove")(function* (text: string) {
    const location = yield* parseWritable(stage, text, "removed")
    const file: FileLocation.FileLocation = { kind: "stage", location }
    const { files } = yield* walkScope(stage, file, text, { matches: () => true })
    const container = yield* stage.account.stagePath({ ...location, path: "", isDirectory: true })
    const folder =
      location.isDirectory && location.path !== "" ? yield* stage.account.stagePath(location) : undefined
    return yield* Effect.tryPromise({
      try: async () => {
        let removed = 0
        const folders = new Set<string>()
        for (const walked of files) {
          try {
            await unlink(walked.localPath)
            removed++
          } catch (error) {
            if (!isMissing(error)) throw error
          }
          for (
            let folder = dirname(walked.localPath);
            folder.startsWith(`${container}${sep}`);
            folder = dirname(folder)
          ) {
            folders.add(folder)
          }
        }
        // A folder removed goes with its empty subfolders, which no file's path names (a job whose
        // staging failed before its first file leaves `input/` bare), and then its parents, as below.
        if (folder !== undefined && (await pruneEmptyTree(folder))) {
          for (
            let parent = dirname(folder);
            parent.startsWith(`${container}${sep}`);
            parent = dirname(parent)
          )
            folders.add(parent)
        }
        // Folders left empty go too, deepest first (an object store has no empty folders); never the stage.
        for (const emptied of [...folders].sort((a, b) => b.length - a.length)) {
          await rmdir(emptied).catch(() => undefined)
        }
        return removed
      },
      catch: (error) => unreadable(display(file), `cannot remove its files: ${reasonOf(error)}`)
    })
  })

/** Remove `folder` if it holds nothing but empty folders (links are not followed); whether it went. */
const pruneEmptyTree = async (folder: string): Promise<boolean> => {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => undefined)
  if (entries === undefined) return false
  let left = entries.length
  for (const entry of entries) {
    if (entry.isDirectory() && (await pruneEmptyTree(join(folder, entry.name)))) left--
  }
  return (
    left === 0 &&
    (await rmdir(folder).then(
      () => true,
      () => false
    ))
  )
}
