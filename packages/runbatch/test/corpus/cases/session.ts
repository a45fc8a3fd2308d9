/** Tables, queries, stage files and local files: missing, malformed, or already there. */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { type Case, call, cli, run, runLine } from "../Case.ts"
import type { Fixture } from "../Fixture.ts"

const query = (sql: string) => ({ input: { kind: "query" as const, query: sql } })

/** Local files for case `id`, written under the home's inputs; their paths. */
const localFiles = (fixture: Fixture, id: string, files: Readonly<Record<string, string>>): Array<string> => {
  const dir = join(fixture.home, "inputs", id)
  mkdirSync(dir, { recursive: true })
  return Object.entries(files).map(([name, content]) => {
    writeFileSync(join(dir, name), content)
    return join(dir, name)
  })
}

export const sessionCases: ReadonlyArray<Case> = [
  run(
    "table-not-found",
    "an input table that does not exist",
    { input: { kind: "table", table: "PIONTS" } },
    "TableNotFound",
    "PIONTS"
  ),
  run(
    "table-not-found-other-db",
    "a table in a database that does not exist",
    { input: { kind: "table", table: "NODB.PUBLIC.POINTS" } },
    "TableNotFound",
    "NODB.PUBLIC.POINTS"
  ),
  cli(
    "cli-table-not-found",
    "--table of a table that does not exist",
    runLine({ "--table": "NOPE" }),
    "TableNotFound",
    "NOPE",
    {
      realCli: true
    }
  ),
  run("query-syntax", "a query with a typo (SELEC)", query("SELEC x, z FROM points"), "SqlError", "SELEC"),
  run(
    "query-missing-column",
    "a query naming a column that does not exist",
    query("SELECT x, w FROM points"),
    "SqlError",
    '"w"'
  ),
  run(
    "query-two-statements",
    "two statements as a query",
    query("SELECT x, z FROM points; DROP TABLE points"),
    "SqlError",
    "DROP TABLE"
  ),
  run("query-empty", "an empty query", query("   "), "SqlError", "no statement to prepare"),
  cli("sql-syntax", "sql with a typo", ["sql", "SELEC 1"], "SqlError", "SELEC"),
  cli(
    "table-drop-missing",
    "table drop of a table that does not exist",
    ["table", "drop", "PIONTS"],
    "TableNotFound",
    "PIONTS",
    {
      realCli: true
    }
  ),
  cli(
    "table-create-exists",
    "table create of a table that exists",
    ["table", "create", "POINTS", "--from", "{file:t.csv}"],
    "TableExists",
    "POINTS",
    { files: { "t.csv": "a\n1\n" } }
  ),
  cli(
    "table-create-case-names",
    "table create from a CSV with columns a and A",
    ["table", "create", "CASEY", "--from", "{file:t.csv}"],
    "CaseCollision",
    '"A"',
    { files: { "t.csv": "a,A\n1,2\n" } }
  ),
  cli(
    "table-create-case-table",
    'table create of "points" beside POINTS',
    ["table", "create", '"points"', "--from", "{file:t.csv}"],
    "CaseCollision",
    "points",
    { files: { "t.csv": "a\n1\n" } }
  ),
  cli(
    "table-create-missing-file",
    "table create from a file that does not exist",
    ["table", "create", "T2", "--from", "{home}/inputs/none.csv"],
    "LocalFileError",
    "none.csv"
  ),
  cli(
    "table-create-bad-parquet",
    "table create from a .parquet file that is not parquet",
    ["table", "create", "T3", "--from", "{file:t.parquet}"],
    "SqlError",
    "t.parquet",
    { files: { "t.parquet": "id,x\n1,2\n" } }
  ),
  cli(
    "stage-put-missing",
    "stage put of a local file that does not exist",
    ["stage", "put", "{home}/inputs/none.txt", "@ML.PUBLIC.FILES/"],
    "LocalFileError",
    "none.txt"
  ),
  // The library's put refuses the whole put (the CLI's stage put skips existing files and says so).
  call(
    "stage-put-folder-arg",
    "putting a file that is already on the stage",
    (session, fixture) =>
      session.stages.put(
        localFiles(fixture, "stage-put-folder-arg", { "ok.png": "not the same bytes" }),
        "@ML.PUBLIC.FILES/img/"
      ),
    "StageFileExists",
    "@ML.PUBLIC.FILES/img/ok.png"
  ),
  call(
    "stage-write-exists",
    "writing a stage file that exists",
    (session) => session.stages.write("@ML.PUBLIC.FILES/text/a.txt", new TextEncoder().encode("beta")),
    "StageFileExists",
    "a.txt"
  ),
  call(
    "stage-write-reserved-name",
    "writing a stage file under a name reserved for temporary files",
    (session) => session.stages.write("@ML.PUBLIC.FILES/.runbatch-tmp-x", new TextEncoder().encode("x")),
    "InvalidStageLocation",
    "reserved"
  ),
  call(
    "stage-put-second-exists",
    "putting two files, the second already on the stage",
    (session, fixture) =>
      session.stages.put(
        localFiles(fixture, "stage-put-second-exists", { "new.png": "new", "ok.png": "not the same bytes" }),
        "@ML.PUBLIC.FILES/img/"
      ),
    "StageFileExists",
    "@ML.PUBLIC.FILES/img/ok.png"
  ),
  run(
    "parquet-folder-empty",
    "a parquet source on a folder with no files",
    { input: { kind: "parquet", location: "@ML.PUBLIC.FILES/nothing/" } },
    "StageFileError",
    "@ML.PUBLIC.FILES/nothing/"
  ),
  run(
    "parquet-pattern-matches-none",
    "a parquet source whose pattern matches no file",
    { input: { kind: "parquet", location: "@ML.PUBLIC.FILES/", pattern: ".*\\.orc" } },
    "StageFileError",
    "no files match the pattern"
  ),
  run(
    "parquet-zero-bytes",
    "a parquet source holding a file of zero bytes",
    { input: { kind: "parquet", location: "@ML.PUBLIC.FILES/pq-empty/" } },
    "SqlError",
    "empty.parquet"
  ),
  run(
    "parquet-truncated",
    "a parquet source holding a file cut short",
    { input: { kind: "parquet", location: "@ML.PUBLIC.FILES/pq-cut/" } },
    "SqlError",
    "cut.parquet"
  ),
  run(
    "parquet-not-parquet",
    "a parquet source over files that are not parquet",
    { input: { kind: "parquet", location: "@ML.PUBLIC.FILES/text/" } },
    "SqlError",
    "a.txt"
  )
]
