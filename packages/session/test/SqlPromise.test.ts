import { existsSync, readdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { CaseCollision, Signature, TableNotFound } from "@runbatch/spec"
import { SqlPromise } from "../src/index.ts"
import { rowsOf, tempHome } from "./support.ts"

describe("SqlPromise", () => {
  it("the whole surface as Promises, rejecting with the typed errors", async () => {
    const home = tempHome()
    const path = join(home, "wines.csv")
    writeFileSync(path, "id,name,score\n1,merlot,4.5\n2,syrah,3.25\n")
    await using sql = SqlPromise.local({ home, database: "ML", threads: 1 })

    expect(await sql.context()).toEqual({ database: "ML", schema: "PUBLIC" })
    expect(await sql.createTable("wines", { kind: "csv", path })).toEqual({
      table: "ML.PUBLIC.WINES",
      rows: 2
    })
    expect(await sql.listTables()).toEqual(["ML.PUBLIC.WINES"])

    const wines = await sql.table("wines")
    expect(wines.description).toBe("table ML.PUBLIC.WINES")
    expect(await wines.count()).toBe(2)
    expect((await wines.schema()).map((f) => f.name)).toEqual(["id", "name", "score"])
    expect(rowsOf(await wines.collect({ limit: 1 }))).toEqual([{ id: 1n, name: "merlot", score: 4.5 }])

    const materialized = await wines.materialize("@JOBS/job-1/input", { targetShards: 2 })
    expect(materialized.location).toMatchObject({ stage: "JOBS", path: "job-1/input", isDirectory: true })
    expect(materialized.shards.map((s) => s.rows)).toEqual([1, 1])

    const staged = await sql.readParquet("@JOBS/job-1/input/")
    expect(await staged.count()).toBe(2)

    const frame = await sql.createDataFrame([{ x: 1 }, { x: 2 }], [Signature.feature("x", "INT32")])
    expect(await sql.createTable("frame", { kind: "relation", relation: frame })).toEqual({
      table: "ML.PUBLIC.FRAME",
      rows: 2
    })
    const query = await sql.sql("SELECT sum(x)::INTEGER AS total FROM frame")
    expect(rowsOf(await query.collect())).toEqual([{ total: 3 }])
    await sql.execute("INSERT INTO frame VALUES (3)")
    expect(rowsOf(await sql.query("SELECT count(*)::INTEGER AS n FROM frame"))).toEqual([{ n: 3 }])

    await expect(sql.table("nope")).rejects.toBeInstanceOf(TableNotFound)
    const collision = await sql
      .createDataFrame([], [Signature.feature("a", "INT8"), Signature.feature("A", "INT8")])
      .catch((e: unknown) => e)
    expect(collision).toBeInstanceOf(CaseCollision)
    expect(readdirSync(join(home, "tmp")).some((name) => name.startsWith("session-"))).toBe(true)
  })

  it("close() removes the session's data-frame files", async () => {
    const home = tempHome()
    const sql = SqlPromise.local({ home })
    await sql.createDataFrame([{ x: 1 }], [Signature.feature("x", "INT32")])
    const sessions = readdirSync(join(home, "tmp")).filter((name) => name.startsWith("session-"))
    expect(sessions.length).toBe(1)
    await sql.close()
    expect(existsSync(join(home, "tmp", sessions[0]!))).toBe(false)
  })
})
