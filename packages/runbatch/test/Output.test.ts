/**
 * What `runbatch sql` and `runbatch results` print, on values from real DuckDB: float specials print
 * as Snowflake prints them (NaN, inf, -inf; strings in JSON), never as SQL NULL, in every format.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalAccount, Sql } from "@runbatch/session"
import { Effect, Layer } from "effect"
import { onTestFinished } from "vitest"
import { arrowRows, render, rows } from "../src/cli/Output.ts"

const query = async (text: string) => {
  const home = mkdtempSync(join(tmpdir(), "runbatch-output-"))
  onTestFinished(() => rmSync(home, { recursive: true, force: true }))
  const table = await Effect.runPromise(
    Sql.use((sql) => sql.query(text)).pipe(
      Effect.provide(Sql.layerLocal().pipe(Layer.provide(LocalAccount.layer({ home }))))
    )
  )
  return rows(
    table.schema.fields.map((f) => f.name),
    arrowRows(table)
  )
}

const SPECIALS =
  "SELECT 'nan'::DOUBLE AS a, 'inf'::DOUBLE AS b, '-inf'::DOUBLE AS c, NULL::DOUBLE AS d, 1.5::FLOAT AS e, [1.0, 'nan'::DOUBLE, NULL] AS f"

describe("printed values", () => {
  it("float specials are NaN, inf and -inf in JSON, as strings, and NULL stays null", async () => {
    const printed = await query(SPECIALS)
    expect(JSON.parse(render(printed, true))).toEqual([
      { a: "NaN", b: "inf", c: "-inf", d: null, e: 1.5, f: [1, "NaN", null] }
    ])
  })

  it("in CSV NULL is an empty field, and a special is its name", async () => {
    const printed = await query(SPECIALS)
    expect(render({ ...printed, format: "csv" } as never, false)).toBe(
      'a,b,c,d,e,f\nNaN,inf,-inf,,1.5,"[1,""NaN"",null]"'
    )
  })

  it("in a table NULL is blank, and a special is its name", async () => {
    const printed = await query(SPECIALS)
    const lines = render(printed, false).split("\n")
    expect(lines[0]).toMatch(/^a\s+b\s+c\s+d\s+e\s+f$/)
    // d, one character wide, is blank: five spaces between -inf and 1.5.
    expect(lines[2]).toBe('NaN  inf  -inf     1.5  [1,"NaN",null]')
  })
})
