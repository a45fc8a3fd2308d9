/** Where the `runbatch-replica` command lives, for launchers that start replicas as child processes. */
import { EntryPoint } from "@runbatch/spec"

/** Its file and Node flags: run it as `node <flags> <file> --plan @…/plan.json`. */
export const entry: EntryPoint.Entry = EntryPoint.beside(import.meta.url, "main")

/** The replica command for a launcher: this Node, the flags, the entry. */
export const command = (): { readonly command: string; readonly args: ReadonlyArray<string> } => ({
  command: process.execPath,
  args: [...entry.execArgv, entry.file]
})

/** The environment variable naming the plugin packages a replica loads besides the first-party ones. */
export const PLUGINS_VARIABLE = "RUNBATCH_PLUGINS"

/** `plugins` as a replica's environment: comma-separated in RUNBATCH_PLUGINS (nothing when none). */
export const pluginsEnv = (plugins: ReadonlyArray<string>): Record<string, string> =>
  plugins.length === 0 ? {} : { [PLUGINS_VARIABLE]: plugins.join(",") }

/** The plugins a replica's environment names. */
export const pluginsFromEnv = (env: Readonly<Record<string, string | undefined>>): Array<string> =>
  (env[PLUGINS_VARIABLE] ?? "").split(",").filter((p) => p !== "")
