/**
 * Giving back the memory of batches of stage files promptly. An encoder reads a batch's files into a
 * buffer outside V8's heap (one per batch with `readBinaryColumn`); V8 frees it only when it collects
 * the object that owns it, and by then that object has usually moved to the old generation, which V8
 * collects once the memory outside its heap has grown by 64 MB since its last full collection (a limit
 * no flag changes) — later still on a loaded machine, while incremental marking runs. So a pipeline
 * thread kept up to 64 MB and more of finished batches beside the one it was reading. Instead, a
 * thread about to read a batch of files first runs a full collection once the batches before it read
 * `RUNBATCH_FILE_GC_MB` (default 16) MiB of files between them; 0 leaves it to V8. Jobs that read no
 * files never collect here, and jobs over small files (text-line images) seldom: it is paid per MiB of
 * files, about a millisecond each on this project's benchmark machine (docs/performance.md).
 */
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"

/** A full collection per 16 MiB of files read, when RUNBATCH_FILE_GC_MB does not say otherwise. */
export const DEFAULT_COLLECT_EVERY_MB = 16

/** RUNBATCH_FILE_GC_MB as bytes: a whole number of MiB, 0 for never; anything else is the default. */
export const collectEveryBytes = (text: string | undefined): number => {
  const value = text === undefined || text === "" ? Number.NaN : Number(text)
  return (Number.isInteger(value) && value >= 0 ? value : DEFAULT_COLLECT_EVERY_MB) * 1024 * 1024
}

type Collect = () => void

/**
 * V8's `gc` without starting the process with --expose-gc: the flag is on just long enough to make a
 * context that has it, then off again, so no other code is handed a `gc` it did not ask for.
 */
const collector = (): Collect | undefined => {
  const existing = (globalThis as { readonly gc?: unknown }).gc
  if (typeof existing === "function") return existing as Collect
  try {
    setFlagsFromString("--expose-gc")
    const gc = runInNewContext("gc") as unknown
    return typeof gc === "function" ? (gc as Collect) : undefined
  } catch {
    return undefined
  } finally {
    setFlagsFromString("--no-expose-gc")
  }
}

/**
 * This thread's account of the files it has read: `beforeFileBatch(bytes)` before each batch that reads
 * `bytes` of stage files. Collects (through `collect`, V8's own by default) once the batches before it
 * read `everyBytes`. Each thread has its own (module state is per thread).
 */
export const makeFileMemory = (
  everyBytes: number,
  collect: () => Collect | undefined = collector
): { readonly beforeFileBatch: (fileBytes: number) => void } => {
  let collectNow: Collect | undefined | null = null
  let finished = 0
  return {
    beforeFileBatch: (fileBytes) => {
      if (everyBytes === 0 || fileBytes === 0) return
      if (finished >= everyBytes) {
        finished = 0
        if (collectNow === null) collectNow = collect()
        collectNow?.()
      }
      finished += fileBytes
    }
  }
}

const thread = makeFileMemory(collectEveryBytes(process.env["RUNBATCH_FILE_GC_MB"]))

/** A batch reading `fileBytes` of stage files is about to be read (the ones before it are done with). */
export const beforeFileBatch = thread.beforeFileBatch
