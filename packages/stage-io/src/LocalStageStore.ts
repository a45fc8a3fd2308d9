/**
 * The local StageStore backend: stages are folders of the embedded account
 * (`stages/<DB>/<SCHEMA>/<STAGE>/…`), created on first write; model version files
 * (`snow://model/…`) are read from the registry folder and never written here.
 *
 * Write-once, two ways:
 * - normal mode writes a hidden temporary file in the target folder, syncs it, then hard-links it to
 *   the final name. `link` fails if the name exists, so the name appears complete or not at all and is
 *   never overwritten; the temporary file is removed, unless the writer is killed first: then
 *   `removeTemporaryFiles` sweeps it once the folder's writers have all ended. An empty file is
 *   created exclusively under its final name: it is whole the moment it exists.
 * - object-store mode (`objectStore: true`, what a Snowpark Container Services stage volume or an
 *   object store allows) opens the final name exclusively (`wx`) and writes into it: no rename, no
 *   link, no overwrite. A failed write removes its partial file, but a crash can leave one under the
 *   final name, which is why the output committer's records decide which files count.
 *
 * Every location is parsed with the stage grammar (no `..`, no percent-encoded dots or slashes, no
 * backslash, no NUL) and resolved through `LocalAccount`, which refuses paths that a symbolic link
 * would take outside their stage.
 */
import type { LocalAccountShape } from "@runbatch/account"
import { Effect } from "effect"
import { type LocalStage, localPathOf, parse } from "./LocalStage.ts"
import { exists, list } from "./LocalStageList.ts"
import { put } from "./LocalStagePut.ts"
import { read, readBytes, readInto, size } from "./LocalStageRead.ts"
import { remove } from "./LocalStageRemove.ts"
import { removeTemporaryFiles } from "./LocalStageTemporaries.ts"
import { write } from "./LocalStageWrite.ts"
import type { StageStoreShape } from "./StageStore.ts"

export { MAX_READ_BYTES } from "./LocalStageRead.ts"

export interface LocalStageStoreOptions {
  /**
   * Behave as an object store (a Snowpark Container Services stage volume): never rename, link or
   * overwrite; write each file directly under its final name, opened exclusively.
   */
  readonly objectStore?: boolean
}

/** The StageStore over `account`'s stage folders; each operation lives in its own module. */
export const make = (account: LocalAccountShape, options: LocalStageStoreOptions = {}): StageStoreShape => {
  const stage: LocalStage = {
    account,
    context: { database: account.database, schema: account.schema },
    objectStore: options.objectStore === true
  }
  const recipe = {
    kind: "local" as const,
    home: account.home,
    database: account.database,
    schema: account.schema,
    objectStore: stage.objectStore,
    ...(account.stageMounts === undefined ? {} : { stageMounts: account.stageMounts })
  }
  return {
    context: stage.context,
    recipe,
    list: list(stage),
    read: read(stage),
    readBytes: readBytes(stage),
    readInto: readInto(stage),
    size: size(stage),
    write: write(stage),
    put: put(stage),
    remove: remove(stage),
    removeTemporaryFiles: removeTemporaryFiles(stage),
    exists: exists(stage),
    localPath: (text) => Effect.flatMap(parse(stage, text), (file) => localPathOf(stage, file))
  }
}
