/** Where the `runbatch-replica` command lives, for launchers that start replicas as child processes. */
import { fileURLToPath } from "node:url"
import { builtFile } from "./BuiltFile.ts"

/** Run it as `node <entry> --plan @…/plan.json`. */
export const entry: string = fileURLToPath(builtFile("main.js"))
