/**
 * Job names: explicit (`MY_JOB`, or `DB.SCHEMA.MY_JOB`), or generated as `<PREFIX>_<UUID>` from a
 * prefix, or `BATCH_INFERENCE_<UUID>` by default: the original's rules. Unqualified names live in the
 * model's database and schema, as in the original (not the session's).
 */
import { Effect } from "effect"
import type { InvalidIdentifier } from "./errors/SpecErrors.ts"
import * as Identifier from "./Identifier.ts"
import type { JobSpec } from "./JobSpec.ts"

export const DEFAULT_PREFIX = "BATCH_INFERENCE"

/** `0b8c…-…` → `0B8C…_…`: a UUID that is a valid unquoted identifier suffix. */
export const uuidSuffix = (uuid: string): string => uuid.replace(/-/g, "_").toUpperCase()

/**
 * The job's fully qualified name. `uuid` is supplied by the caller (spec does no I/O and draws no
 * random numbers), e.g. `crypto.randomUUID()`.
 */
export const resolve = (
  spec: Pick<JobSpec, "jobName" | "jobNamePrefix">,
  context: Identifier.NameContext,
  uuid: string
): Effect.Effect<Identifier.FullyQualifiedName, InvalidIdentifier> =>
  Effect.gen(function* () {
    if (spec.jobName !== undefined) return yield* Identifier.parseFullyQualified(spec.jobName, context)
    const prefix =
      spec.jobNamePrefix === undefined ? DEFAULT_PREFIX : yield* Identifier.resolve(spec.jobNamePrefix.trim())
    return yield* Identifier.parseFullyQualified(Identifier.quote(`${prefix}_${uuidSuffix(uuid)}`), context)
  })
