/**
 * V8's heap growing factor for a command's process. V8 lets a small heap grow up to 4× its live size
 * before a full collection; an export renders millions of short-lived strings and copies each row
 * group out of WebAssembly, so garbage piled up to ~45 MiB more peak RSS than it needed (10M rows as
 * CSV: 269–276 MiB against 225–229 MiB at 1.5×, the same CPU time; docs/performance.md "Results
 * export"). The replica fixes the factor the same way, with the same variable.
 *
 * Plain Node: set before effect and a command's modules load, so their heap grows by it too.
 */
import { setFlagsFromString } from "node:v8"

export const VARIABLE = "RUNBATCH_HEAP_GROWING_PERCENT"

/** Growth allowed over the live heap before a full collection, in percent (V8's own is up to 300). */
export const DEFAULT_PERCENT = 50

/**
 * Set V8's heap growing factor from `RUNBATCH_HEAP_GROWING_PERCENT` (default 50; 0 leaves V8's own).
 * Returns what is wrong with the variable when it is not a whole number (nothing is set then).
 */
export const setHeapGrowth = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const text = env[VARIABLE]
  const percent = text === undefined || text === "" ? DEFAULT_PERCENT : Number(text)
  if (!Number.isInteger(percent) || percent < 0)
    return `${VARIABLE} is ${JSON.stringify(text)}, not a whole number (0 for V8's own)`
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`)
  return undefined
}
