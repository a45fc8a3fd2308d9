/**
 * Where the job supervisor's program is: `supervisor.ts` beside this module, in its form (the build,
 * or the sources under a TypeScript loader), so a launch always starts the supervisor of its own
 * install.
 */
import { EntryPoint } from "@runbatch/spec"

/** The supervisor's entry: the module beside this one, in its form (built, or sources under a loader). */
export const supervisorEntry: EntryPoint.Entry = EntryPoint.beside(import.meta.url, "supervisor")
