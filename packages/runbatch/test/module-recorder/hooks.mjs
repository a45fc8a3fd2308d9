// The module hooks record.mjs registers; they run on Node's hooks thread.
import { appendFileSync } from "node:fs"

let file = ""
let hidden = []

export const initialize = (data) => {
  file = data.file
  hidden = data.hidden
}

export const resolve = async (specifier, context, nextResolve) => {
  if (hidden.some((name) => specifier === name || specifier.startsWith(`${name}/`))) {
    // Resolved from a folder with no node_modules, Node throws its own ERR_MODULE_NOT_FOUND for it.
    return nextResolve(specifier, { ...context, parentURL: "file:///runbatch-hidden-package/" })
  }
  const resolved = await nextResolve(specifier, context)
  appendFileSync(file, `${resolved.url}\n`)
  return resolved
}
