/** Where the `runbatch-replica` command lives, for launchers that start replicas as child processes. */
import { EntryPoint } from "@runbatch/spec"

/** Its file and Node flags: run it as `node <flags> <file> --plan @…/plan.json`. */
export const entry: EntryPoint.Entry = EntryPoint.beside(import.meta.url, "main")

/** The replica command for a launcher: this Node, the flags, the entry. */
export const command = (): { readonly command: string; readonly args: ReadonlyArray<string> } => ({
  command: process.execPath,
  args: [...entry.execArgv, entry.file]
})
