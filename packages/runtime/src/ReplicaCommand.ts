/** Where the `runbatch-replica` command lives, for launchers that start replicas as child processes. */
import { fileURLToPath } from "node:url"
import { builtFile } from "./BuiltFile.ts"

/** Run it as `node <entry> --plan @…/plan.json`. */
export const entry: string = fileURLToPath(builtFile("main.js"))

/** The environment variable naming the plugin packages a replica loads besides the first-party ones. */
export const PLUGINS_VARIABLE = "RUNBATCH_PLUGINS"

/** `plugins` as a replica's environment: comma-separated in RUNBATCH_PLUGINS (nothing when none). */
export const pluginsEnv = (plugins: ReadonlyArray<string>): Record<string, string> =>
  plugins.length === 0 ? {} : { [PLUGINS_VARIABLE]: plugins.join(",") }

/** The plugins a replica's environment names. */
export const pluginsFromEnv = (env: Readonly<Record<string, string | undefined>>): Array<string> =>
  (env[PLUGINS_VARIABLE] ?? "").split(",").filter((p) => p !== "")
