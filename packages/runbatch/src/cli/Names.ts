/**
 * The global `--database` / `--schema` (or RUNBATCH_DATABASE / RUNBATCH_SCHEMA) read as SQL reads a
 * name: `ml` is ML, `"lower"` is lower. Loaded only once a command runs (it needs effect).
 */
import { Identifier } from "@runbatch/spec"
import { Cause, Effect, Exit } from "effect"

export interface Names {
  readonly database?: string
  readonly schema?: string
}

/** The names as stored, or what is wrong with one of them (a usage error). */
export const resolveNames = (given: Names): { readonly names: Names } | { readonly problem: string } => {
  const names: { database?: string; schema?: string } = {}
  for (const flag of ["database", "schema"] as const) {
    const text = given[flag]
    if (text === undefined) continue
    const resolved = Effect.runSyncExit(Identifier.resolve(text))
    if (Exit.isFailure(resolved))
      return { problem: `--${flag} ${text}: ${(Cause.squash(resolved.cause) as Error).message}` }
    names[flag] = resolved.value
  }
  return { names }
}
