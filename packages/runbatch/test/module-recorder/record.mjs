// `node --import <this file>`: appends the URL of every module the process loads to the file named by
// RUNBATCH_RECORD_MODULES, one a line — ES modules as the resolve hook sees them (static and dynamic
// imports alike), CommonJS modules from the require cache when the process exits. Packages named in
// RUNBATCH_HIDE_PACKAGES (comma-separated) fail to resolve as if they were not installed.
import { appendFileSync } from "node:fs"
import { createRequire, register } from "node:module"
import { pathToFileURL } from "node:url"

const file = process.env.RUNBATCH_RECORD_MODULES
if (file === undefined) throw new Error("RUNBATCH_RECORD_MODULES must name the file to record modules in")
const hidden = (process.env.RUNBATCH_HIDE_PACKAGES ?? "").split(",").filter((name) => name !== "")

register("./hooks.mjs", import.meta.url, { data: { file, hidden } })

const { cache } = createRequire(import.meta.url)
process.on("exit", () => {
  const urls = Object.keys(cache).map((path) => `${pathToFileURL(path).href}\n`)
  appendFileSync(file, urls.join(""))
})
