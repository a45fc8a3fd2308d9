/**
 * Job names: explicit (`MY_JOB`, or `DB.SCHEMA.MY_JOB`), or generated as `<PREFIX>_<UUID>` from a
 * prefix, or `BATCH_INFERENCE_<UUID>` by default: the original's rules. Unqualified names live in the
 * model's database and schema, as in the original (not the session's).
 */
import { Effect } from "effect"
import { type InvalidIdentifier, InvalidStageLocation } from "./errors/SpecErrors.ts"
import * as Identifier from "./Identifier.ts"
import type { JobSpec } from "./JobSpec.ts"
import * as StageLocation from "./StageLocation.ts"

export const DEFAULT_PREFIX = "BATCH_INFERENCE"

/**
 * A job's id, `DB.SCHEMA.NAME` with the parts that need it quoted: what the launcher resolves, what a
 * claim on an output folder records, what the job's folders are named after. Quoting keeps it one
 * job: `ML.PUBLIC."my_job"` is not `ML.PUBLIC.MY_JOB`.
 */
export const id = (job: Identifier.QualifiedName): string => Identifier.formatQualified(job)

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

/**
 * A job's own output folder under a `base_stage_location`: `<base>/<job name>/`, one folder below the
 * base. A quoted job name may hold any character, but one that is not a single folder name (`.`, `..`,
 * or holding a slash, a backslash or a control character) would put the results in the base itself,
 * above it or deeper, where other jobs' folders are and save mode `overwrite` would clear them: refused.
 */
export const outputFolder = (
  base: StageLocation.StageLocation,
  jobName: string
): Effect.Effect<StageLocation.StageLocation, InvalidStageLocation> => {
  const refused = new InvalidStageLocation({
    input: `${StageLocation.format(StageLocation.asDirectory(base))}${jobName}/`,
    reason: `the job name ${JSON.stringify(jobName)} cannot be a folder name, and results under base_stage_location go to <base>/<job name>/. Use a job name that is not . or .. and holds no /, \\ or control characters, or give stage_location instead.`
  })
  return StageLocation.child(StageLocation.asDirectory(base), `${jobName}/`).pipe(
    Effect.mapError(() => refused),
    Effect.filterOrFail(
      (folder) =>
        !jobName.includes("/") &&
        StageLocation.relativePath(StageLocation.asDirectory(base), folder) === jobName,
      () => refused
    )
  )
}
