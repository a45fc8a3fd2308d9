/**
 * Stages through snowflake-sdk: CREATE/DESCRIBE/DROP/SHOW STAGES, PUT and GET through the driver's
 * LOCAL_FS stage type, LIST and REMOVE, COPY INTO a stage and back into a table, and the refusals that
 * keep the driver from crashing or overwriting (and nothing from leaving the stage).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { LocalLayout } from "@runbatch/spec"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { connect, emulator, execute, failing, tempDir } from "./support.ts"

// The driver sets process.umask(0) on every PUT/GET with LOCAL_FS; keep the test process's own.
let umask = 0
beforeEach(() => {
  umask = process.umask()
})
afterEach(() => {
  process.umask(umask)
})

const stageFolder = (home: string, stage: string) =>
  LocalLayout.stageDir(home, { database: "RUNBATCH", schema: "PUBLIC", stage })

describe("stages", () => {
  it("CREATE, SHOW, DESCRIBE and DROP STAGE map to the stage's folder", async () => {
    const running = await emulator()
    const connection = await connect(running)
    expect((await execute(connection, "create stage images")).rows).toEqual([
      { status: "Stage area IMAGES successfully created." }
    ])
    expect(existsSync(stageFolder(running.home, "IMAGES"))).toBe(true)
    const again = await failing(connection, "create stage images")
    expect(again.code).toBe("002002")
    await execute(connection, "create stage if not exists images")
    const { rows } = await execute<Record<string, unknown>>(connection, "show stages")
    expect(rows.map((r) => [r["name"], r["database_name"], r["schema_name"], r["type"]])).toEqual([
      ["IMAGES", "RUNBATCH", "PUBLIC", "INTERNAL"]
    ])
    const described = await execute<Record<string, unknown>>(connection, "describe stage images")
    expect(described.rows.length).toBeGreaterThan(0)
    await execute(connection, "drop stage images")
    expect(existsSync(stageFolder(running.home, "IMAGES"))).toBe(false)
    const missing = await failing(connection, "list @images")
    expect([missing.code, missing.sqlState]).toEqual(["002003", "02000"])
    expect(missing.message).toMatch(/CREATE STAGE/)
  })

  it("PUT and GET files through LOCAL_FS; LIST and REMOVE see them", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const local = tempDir("emulator-local-")
    writeFileSync(join(local, "a.csv"), "x,y\n1,2\n")
    writeFileSync(join(local, "b.csv"), "x,y\n3,4\n")
    await execute(connection, "create stage files")
    const put = await execute<Record<string, unknown>>(
      connection,
      `PUT file://${local}/*.csv @files/in/ AUTO_COMPRESS = FALSE`
    )
    expect(put.rows.map((r) => [r["source"], r["status"]]).sort()).toEqual([
      ["a.csv", "UPLOADED"],
      ["b.csv", "UPLOADED"]
    ])
    expect(readFileSync(join(stageFolder(running.home, "FILES"), "in", "a.csv"), "utf8")).toBe("x,y\n1,2\n")
    const { rows: listed } = await execute<Record<string, unknown>>(connection, "list @files")
    expect(listed.map((r) => [r["name"], r["size"]])).toEqual([
      ["files/in/a.csv", 8],
      ["files/in/b.csv", 8]
    ])
    expect(String(listed[0]!["last_modified"])).toMatch(/GMT$/)
    const target = tempDir("emulator-get-")
    const got = await execute<Record<string, unknown>>(connection, `GET @files/in/a.csv 'file://${target}/'`)
    expect(got.rows.map((r) => r["status"])).toEqual(["DOWNLOADED"])
    expect(readFileSync(join(target, "a.csv"), "utf8")).toBe("x,y\n1,2\n")
    // Without AUTO_COMPRESS = FALSE the driver gzips the file itself: it lands as a.csv.gz.
    const gzipped = await execute<Record<string, unknown>>(connection, `PUT file://${local}/a.csv @files/gz/`)
    expect(gzipped.rows.map((r) => [r["target"], r["status"]])).toEqual([["a.csv.gz", "UPLOADED"]])
    expect(readdirSync(join(stageFolder(running.home, "FILES"), "gz"))).toEqual(["a.csv.gz"])
    const removed = await execute<Record<string, unknown>>(
      connection,
      "remove @files/in/ pattern = '.*b[.]csv'"
    )
    expect(removed.rows).toEqual([{ name: "files/in/b.csv", result: "removed" }])
    expect(readdirSync(join(stageFolder(running.home, "FILES"), "in"))).toEqual(["a.csv"])
  })

  it("refuses a PUT onto an existing file without OVERWRITE = TRUE (the driver would replace it)", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const local = tempDir("emulator-local-")
    writeFileSync(join(local, "a.txt"), "first")
    await execute(connection, "create stage s")
    await execute(connection, `PUT file://${local}/a.txt @s AUTO_COMPRESS = FALSE`)
    writeFileSync(join(local, "a.txt"), "second")
    const refused = await failing(connection, `PUT file://${local}/a.txt @s AUTO_COMPRESS = FALSE`)
    expect(refused.message).toMatch(/OVERWRITE = TRUE/)
    expect(readFileSync(join(stageFolder(running.home, "S"), "a.txt"), "utf8")).toBe("first")
    await execute(connection, `PUT file://${local}/a.txt @s AUTO_COMPRESS = FALSE OVERWRITE = TRUE`)
    expect(readFileSync(join(stageFolder(running.home, "S"), "a.txt"), "utf8")).toBe("second")
  })

  it("refuses a GET of a missing file (the driver would crash) and a PUT of a missing local file", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const local = tempDir("emulator-local-")
    await execute(connection, "create stage s")
    const get = await failing(connection, `GET @s/nothing.csv file://${local}/`)
    expect(get.message).toMatch(/nothing to download/)
    const put = await failing(connection, `PUT file://${local}/absent.csv @s`)
    expect(put.message).toMatch(/File doesn't exist/)
    const folder = await failing(connection, `GET @s file://${local}/no/such/folder/`)
    expect(folder.message).toMatch(/nothing to download|does not exist/)
  })

  it("hostile stage paths and names are refused, and nothing is written outside the home", async () => {
    const running = await emulator()
    const connection = await connect(running)
    const local = tempDir("emulator-local-")
    writeFileSync(join(local, "evil.txt"), "evil")
    await execute(connection, "create stage s")
    for (const target of ["@s/../../escape/", "@s/%2e%2e/escape/", "'@s/a\\\\b/'"]) {
      const error = await failing(connection, `PUT file://${local}/evil.txt ${target} AUTO_COMPRESS = FALSE`)
      expect(error.code).toBe("001003")
    }
    writeFileSync(join(local, "%2e%2e"), "dots")
    const encoded = await failing(connection, `PUT 'file://${local}/%252e%252e' @s/ AUTO_COMPRESS = FALSE`)
    expect(encoded.code).toBe("001003")
    expect(encoded.message).toMatch(/percent-encoded/)
    const quoted = await failing(connection, `PUT file://${local}/evil.txt '@"../x"/' AUTO_COMPRESS = FALSE`)
    expect(quoted.code).toBe("002003")
    const listed = await failing(connection, "list @s/../")
    expect(listed.code).toBe("001003")
    expect(readdirSync(stageFolder(running.home, "S"))).toEqual([])
    expect(existsSync(join(running.home, "..", "escape"))).toBe(false)
    expect(existsSync(join(running.home, "stages", "RUNBATCH", "escape"))).toBe(false)
  })

  it("COPY INTO a stage as parquet and back into a table", async () => {
    const running = await emulator()
    const connection = await connect(running)
    await execute(connection, "create stage out")
    await execute(connection, "create table src as select range as id, 'v' || range as name from range(1000)")
    const unloaded = await execute<Record<string, unknown>>(
      connection,
      "copy into @out/batch/ from (select id, name from src where id < 600) file_format = (type = parquet) header = true"
    )
    expect(unloaded.rows[0]!["rows_unloaded"]).toBe(600)
    const { rows: files } = await execute<Record<string, unknown>>(connection, "list @out/batch/")
    expect(files.map((f) => f["name"])).toEqual(["out/batch/data_0_0_0.snappy.parquet"])
    const again = await failing(connection, "copy into @out/batch/ from src file_format = (type = parquet)")
    expect(again.message).toMatch(/overwrite/i)
    await execute(
      connection,
      "copy into @out/batch/ from src file_format = (type = parquet) overwrite = true"
    )
    await execute(connection, "create table dst (id number, name varchar)")
    const loaded = await execute<Record<string, unknown>>(
      connection,
      "copy into dst from @out/batch/ file_format = (type = parquet) match_by_column_name = case_insensitive"
    )
    expect(loaded.rows.map((r) => [r["status"], r["rows_loaded"]])).toEqual([["LOADED", 1000]])
    const { rows } = await execute(connection, "select count(*) as n, max(id) as m from dst")
    expect(rows).toEqual([{ N: 1000, M: 999 }])
    const csv = await failing(connection, "copy into @out/x/ from src")
    expect(csv.message).toMatch(/not supported by the emulator: COPY INTO with FILE_FORMAT CSV/)
  })
})
