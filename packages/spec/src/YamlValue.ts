/**
 * A parsed YAML document as plain data, or why it cannot be: `toJS` throws on an alias to an anchor
 * that is not set and on more than `MAX_ALIASES` alias expansions (a "billion laughs" file), and
 * returns a structure that contains itself for an alias inside its own anchor (`a: &a [*a]`). Files
 * users hand to runbatch (job files, signatures, model versions) are trees of plain values, so all
 * three are refused here, as text the caller puts in its own typed error.
 */
import type * as Yaml from "yaml"

export const MAX_ALIASES = 100

/** Where `value` refers to itself, as a path (`source.table[0]`), or undefined for a tree. */
const cycleIn = (value: unknown, path: string, open: Set<object>): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  if (open.has(value)) return path === "" ? "the document" : path
  open.add(value)
  const entries = Array.isArray(value)
    ? value.map((item, i) => [`${path}[${i}]`, item] as const)
    : Object.entries(value).map(([key, item]) => [path === "" ? key : `${path}.${key}`, item] as const)
  for (const [at, item] of entries) {
    const found = cycleIn(item, at, open)
    if (found !== undefined) return found
  }
  open.delete(value)
  return undefined
}

export const plainValue = (
  doc: Yaml.Document.Parsed
): { readonly value: unknown } | { readonly problem: string } => {
  let value: unknown
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0]!
    return /excessive alias count/i.test(reason)
      ? { problem: `its aliases expand more than ${MAX_ALIASES} times (${reason}); write the values out.` }
      : { problem: reason }
  }
  const cycle = cycleIn(value, "", new Set())
  return cycle === undefined
    ? { value }
    : { problem: `${cycle} is an alias inside its own anchor, a value that contains itself.` }
}
