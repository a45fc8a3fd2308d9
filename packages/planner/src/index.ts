/**
 * @runbatch/planner — the client's job planning: the checks, the output claim, the materialised
 * input, `plan.json` and its fingerprint, and whether a written plan still holds. One planner, used by
 * runBatch, dry runs, resume and testkit's job stager alike.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * as JobPlanner from "./JobPlanner.ts"
