/**
 * Where the embedded local account keeps things under its home folder:
 *
 * ```
 * warehouse/<DB>.duckdb                              one DuckDB file per database
 * stages/<DB>/<SCHEMA>/<STAGE>/…                     stage files (@DB.SCHEMA.STAGE/path maps here)
 * user-stage/…                                       the user stage (@~/path; the account has one user)
 * table-stages/<DB>/<SCHEMA>/<TABLE>/…               table stages (@DB.SCHEMA.%TABLE/path)
 * external-stages/<DB>/<SCHEMA>/<STAGE>/url          the emulator's external stages: the URL they were
 *                                                    created with (their files live in stages/…)
 * registry/<DB>/<SCHEMA>/<MODEL>/versions/<VERSION>/ model versions, in Snowflake's layout
 * jobs/<DB>/<SCHEMA>/<JOB>/                          job records and logs
 * ```
 *
 * Identifiers become folder names through `segment`, which keeps letters, digits, `_`, `$` and `-`
 * and percent-encodes everything else (`my stage` → `my%20stage`), so any Snowflake name, quoted
 * names included, maps to exactly one folder and no name can reach outside its parent. Pure path
 * arithmetic: nothing here touches the filesystem; `LocalHome` checks that no folder of these paths
 * below the home is a symbolic link before one is used.
 */
import { join } from "node:path"

const KEEP = /[A-Za-z0-9_$-]/

/** One identifier as one safe path segment. */
export const segment = (name: string): string =>
  Array.from(name)
    .map((char) =>
      KEEP.test(char)
        ? char
        : Array.from(new TextEncoder().encode(char))
            .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, "0")}`)
            .join("")
    )
    .join("")

/** The identifier a segment stands for (the inverse of `segment`). */
export const fromSegment = (text: string): string => decodeURIComponent(text)

export interface SchemaName {
  readonly database: string
  readonly schema: string
}

export const warehouseDir = (home: string): string => join(home, "warehouse")

export const databaseFile = (home: string, database: string): string =>
  join(warehouseDir(home), `${segment(database)}.duckdb`)

export const stagesDir = (home: string): string => join(home, "stages")

/** The user stage `@~`: its own top-level folder, so it can never meet a named stage's. */
export const userStageDir = (home: string): string => join(home, "user-stage")

/** Table stages (`@%T`), apart from named stages: a table and a stage may share a name. */
export const tableStagesDir = (home: string): string => join(home, "table-stages")

/** The emulator's record of an external stage: a file holding its URL (files stay in `stageDir`). */
export const externalStageUrlFile = (home: string, stage: SchemaName & { readonly stage: string }): string =>
  join(home, "external-stages", segment(stage.database), segment(stage.schema), segment(stage.stage), "url")

export interface StageName extends SchemaName {
  /** Absent for named stages written before user and table stages existed. */
  readonly kind?: "named" | "user" | "table"
  readonly stage: string
}

export const stageDir = (home: string, stage: StageName): string =>
  stage.kind === "user"
    ? userStageDir(home)
    : join(
        stage.kind === "table" ? tableStagesDir(home) : stagesDir(home),
        segment(stage.database),
        segment(stage.schema),
        segment(stage.stage)
      )

export const registryDir = (home: string): string => join(home, "registry")

export const modelDir = (home: string, model: SchemaName & { readonly name: string }): string =>
  join(registryDir(home), segment(model.database), segment(model.schema), segment(model.name))

export const versionDir = (
  home: string,
  model: SchemaName & { readonly name: string },
  version: string
): string => join(modelDir(home, model), "versions", segment(version))

export const jobsDir = (home: string): string => join(home, "jobs")

export const jobDir = (home: string, job: SchemaName & { readonly name: string }): string =>
  join(jobsDir(home), segment(job.database), segment(job.schema), segment(job.name))
