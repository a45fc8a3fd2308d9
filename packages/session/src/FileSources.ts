/**
 * `createTable`'s local files, on either backend: the checks made before anything is created (the
 * files exist and are files, the CSV options make sense, no column name DuckDB would rename) and the
 * DuckDB query that reads them. `use` runs a body on a DuckDB connection: the warehouse's locally,
 * an in-memory one for a Snowflake upload.
 */
import { type CaseCollision, InvalidSpec, LocalFileError, type SqlError } from "@runbatch/spec"
import { Effect } from "effect"
import { type Connection, sqlString } from "./Connection.ts"
import { csvProblems, csvReaderArguments } from "./CsvOptions.ts"
import { checkLocalFile } from "./LocalSources.ts"
import { refuseCsvCollisions, refuseParquetCollisions } from "./SourceHeaders.ts"
import type { TableSource } from "./Sql.ts"

export type FileSource = Exclude<TableSource, { readonly kind: "relation" }>

export type UseConnection<U> = <A, E>(
  body: (connection: Connection) => Effect.Effect<A, E>
) => Effect.Effect<A, E | U>

/** The checked source's `SELECT * FROM read_parquet(…)` or `read_csv(…)`. */
export const fileSourceQuery = <U>(
  source: FileSource,
  use: UseConnection<U>
): Effect.Effect<string, LocalFileError | InvalidSpec | SqlError | CaseCollision | U> =>
  Effect.gen(function* () {
    switch (source.kind) {
      case "parquet": {
        if (source.paths.length === 0)
          return yield* new LocalFileError({ path: "(none)", reason: "no parquet files were given." })
        for (const path of source.paths) yield* checkLocalFile(path)
        yield* use((connection) =>
          refuseParquetCollisions(
            connection,
            source.paths.map((path) => ({ localPath: path, display: path }))
          )
        )
        return `SELECT * FROM read_parquet([${source.paths.map(sqlString).join(", ")}])`
      }
      case "csv": {
        const options = source.options ?? {}
        const problems = csvProblems(source.path, options)
        if (problems.length > 0)
          return yield* new InvalidSpec({ spec: `CSV options for ${source.path}`, problems })
        yield* checkLocalFile(source.path)
        yield* use((connection) => refuseCsvCollisions(connection, source.path, options))
        return `SELECT * FROM read_csv(${sqlString(source.path)}${csvReaderArguments(source.path, options)})`
      }
    }
  })
