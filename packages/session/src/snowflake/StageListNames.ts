/**
 * LIST's `name` column as paths inside the stage. Internal stages name files `<stage>/<path>` (named)
 * or by the path alone (user and table stages, unverified); an external stage names them by its cloud
 * URL and the path (`s3://bucket/prefix/dir/f.parquet`), so the stage's URL is looked up once with
 * DESCRIBE STAGE (its STAGE_LOCATION URL property, a JSON list — format unverified on a real account)
 * and cut off.
 */
import { Identifier, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import type { SnowflakeClient, StatementError } from "./SnowflakeClient.ts"

export interface ListedPaths {
  /** The path inside the stage of each name, in the same order. */
  readonly paths: ReadonlyArray<string>
  /** The stage's URL when it is an external stage. */
  readonly externalUrl?: string
}

/** The URL of an external stage, from DESCRIBE STAGE; undefined when none is reported. */
export const externalStageUrl = (
  client: SnowflakeClient,
  location: StageLocation.StageLocation
): Effect.Effect<string | undefined, StatementError> =>
  Effect.map(
    client.run(
      `DESCRIBE STAGE ${Identifier.quoteQualified({ database: location.database, schema: location.schema, name: location.stage })}`
    ),
    (described) => {
      const at = (name: string) => described.columns.findIndex((c) => c.name.toLowerCase() === name)
      const [parent, property, value] = ["parent_property", "property", "property_value"].map(at)
      const row = described.rows.find(
        (r) => r[parent!]?.toUpperCase() === "STAGE_LOCATION" && r[property!]?.toUpperCase() === "URL"
      )
      const text = row?.[value!] ?? ""
      if (text === "") return undefined
      try {
        const urls: unknown = JSON.parse(text)
        return Array.isArray(urls) && typeof urls[0] === "string" ? urls[0] : undefined
      } catch {
        return text
      }
    }
  )

/** The paths LIST's names stand for; DESCRIBE STAGE runs only when the names are URLs. */
export const listedPaths = (
  client: SnowflakeClient,
  location: StageLocation.StageLocation,
  names: ReadonlyArray<string>
): Effect.Effect<ListedPaths, StatementError> =>
  Effect.gen(function* () {
    const external = location.kind === "named" && names.some(StageLocation.isUrlListName)
    const url = external ? yield* externalStageUrl(client, location) : undefined
    const paths = names.map((name) => StageLocation.pathOfListName(location, name, url))
    return url === undefined ? { paths } : { paths, externalUrl: url }
  })
