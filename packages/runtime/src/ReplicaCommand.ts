/**
 * Where the `runbatch-replica` command lives, and the environment it wants, for launchers that start
 * replicas as child processes.
 */
import { EntryPoint } from "@runbatch/spec"

/** Its file and Node flags: run it as `node <flags> <file> --plan @…/plan.json`. */
export const entry: EntryPoint.Entry = EntryPoint.beside(import.meta.url, "main")

/** The replica command for a launcher: this Node, the flags, the entry. */
export const command = (): { readonly command: string; readonly args: ReadonlyArray<string> } => ({
  command: process.execPath,
  args: [...entry.execArgv, entry.file]
})

/** glibc's mmap threshold for replicas: every allocation of 1 MiB or more is its own mapping. */
export const MMAP_THRESHOLD_BYTES = 1024 * 1024

/**
 * What the replica command wants in its environment, for launchers to add under the job's own
 * variables: glibc's mmap threshold fixed at 1 MiB (`MALLOC_MMAP_THRESHOLD_`). glibc otherwise raises
 * its threshold to the largest block freed (up to 32 MiB), after which a batch's buffer of files
 * (`max_batch_bytes`, 16 MiB by default) is carved from a thread's malloc arena, whose freed memory the
 * process keeps; at a fixed threshold each such buffer is its own mapping, handed back to the system
 * when it is freed (docs/performance.md, memory-scale). Not set when `base` has it already.
 */
export const environment = (base: NodeJS.ProcessEnv = process.env): Readonly<Record<string, string>> =>
  base["MALLOC_MMAP_THRESHOLD_"] === undefined ? { MALLOC_MMAP_THRESHOLD_: String(MMAP_THRESHOLD_BYTES) } : {}
