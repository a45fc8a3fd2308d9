import { describe, expect, it } from "@effect/vitest"
import { type Identifier, StageLocation } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

const CONTEXT: Identifier.NameContext = { database: "DB", schema: "SC" }

const at = (text: string, context: Identifier.NameContext = {}): StageLocation.StageLocation =>
  ok(StageLocation.parse(text, context))

const loc = (
  database: string,
  schema: string,
  stage: string,
  path: string,
  isDirectory: boolean
): StageLocation.StageLocation => ({ database, schema, stage, path, isDirectory })

describe("StageLocation.parse", () => {
  const accepted: ReadonlyArray<readonly [string, Identifier.NameContext, StageLocation.StageLocation]> = [
    ["@DB.SCHEMA.STAGE/path", {}, loc("DB", "SCHEMA", "STAGE", "path", false)],
    ["@db.schema.stage/Dir/File.parquet", {}, loc("DB", "SCHEMA", "STAGE", "Dir/File.parquet", false)],
    ["@STAGE/path", CONTEXT, loc("DB", "SC", "STAGE", "path", false)],
    ["@OTHER.STAGE/path", { database: "DB" }, loc("DB", "OTHER", "STAGE", "path", false)],
    ["@X.Y.STAGE/path", CONTEXT, loc("X", "Y", "STAGE", "path", false)],
    ['@"my db".PUBLIC."Stage"/x', {}, loc("my db", "PUBLIC", "Stage", "x", false)],
    ['@"a/b".S.ST/x', {}, loc("a/b", "S", "ST", "x", false)],
    ['@"st.age"/x', CONTEXT, loc("DB", "SC", "st.age", "x", false)],
    ["@DB.S.ST", {}, loc("DB", "S", "ST", "", true)],
    ["@DB.S.ST/", {}, loc("DB", "S", "ST", "", true)],
    ["@DB.S.ST/out/", {}, loc("DB", "S", "ST", "out", true)],
    ["@DB.S.ST/out", {}, loc("DB", "S", "ST", "out", false)],
    ["@DB.S.ST/a//b/./c/", {}, loc("DB", "S", "ST", "a/b/c", true)],
    ["@DB.S.ST//a///b", {}, loc("DB", "S", "ST", "a/b", false)],
    ["@DB.S.ST/a/.", {}, loc("DB", "S", "ST", "a", true)],
    ["@DB.S.ST/./a", {}, loc("DB", "S", "ST", "a", false)],
    ["@DB.S.ST/.", {}, loc("DB", "S", "ST", "", true)],
    ["  @DB.S.ST/x  ", {}, loc("DB", "S", "ST", "x", false)],
    ["@DB.S.ST/file%20name.txt", {}, loc("DB", "S", "ST", "file%20name.txt", false)],
    ["@DB.S.ST/a..b/c", {}, loc("DB", "S", "ST", "a..b/c", false)],
    ["@DB.S.ST/.hidden", {}, loc("DB", "S", "ST", ".hidden", false)]
  ]
  it.each(accepted)("accepts %j (context %j)", (text, context, expected) => {
    expect(at(text, context)).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [string, Identifier.NameContext, string]> = [
    ["DB.S.ST/x", {}, "a stage location starts with @"],
    ["", {}, "a stage location starts with @"],
    ["@~", {}, "user stages (@~) are not supported"],
    ["@~/x", {}, "user stages (@~) are not supported"],
    ["@%table/x", {}, "table stages (@%table) are not supported"],
    ["s3://bucket/x", {}, "URLs are not stage locations"],
    ["gcs://bucket/x", {}, "URLs are not stage locations"],
    ["https://host/x", {}, "URLs are not stage locations"],
    ["@DB.S.ST/../x", {}, "the path contains '..'"],
    ["@DB.S.ST/a/../b", {}, "the path contains '..'"],
    ["@DB.S.ST/a/..", {}, "the path contains '..'"],
    ["@DB.S.ST/a/../", {}, "the path contains '..'"],
    ["@DB.S.ST/%2e%2e/x", {}, "percent-encoded '..'"],
    ["@DB.S.ST/a/%2E%2e", {}, "percent-encoded '..'"],
    ["@DB.S.ST/%2E%2E/x", {}, "percent-encoded '..'"],
    ["@DB.S.ST/.%2e/x", {}, "percent-encoded '..'"],
    ["@DB.S.ST/%2e/x", {}, "percent-encoded '.'"],
    ["@DB.S.ST/a%2fb", {}, "percent-encoded 'a/b'"],
    ["@DB.S.ST/a%2Fb", {}, "percent-encoded 'a/b'"],
    ["@DB.S.ST/a%5cb", {}, "percent-encoded"],
    ["@DB.S.ST/a%00b", {}, "encodes a NUL or control character"],
    ["@DB.S.ST/a%0ab", {}, "encodes a NUL or control character"],
    ["@DB.S.ST/a\\b", {}, "backslash"],
    ["@DB.S.ST/a\u0000b", {}, "NUL character"],
    ["@DB.S.ST/a\tb", {}, "control character"],
    ["@DB.S.ST/a\nb", {}, "control character"],
    ["@DB.S.ST/a\u007fb", {}, "control character"],
    ["@STAGE/x", {}, "there is no current database"],
    ["@SC.STAGE/x", {}, "there is no current database"],
    ["@STAGE/x", { database: "DB" }, "there is no current schema"],
    ["@", {}, "the stage name is missing"],
    ["@/x", {}, "the stage name is missing"],
    ["@a.b.c.d/x", {}, "at most three parts"],
    ["@1bad.S.ST/x", {}, "stage name:"],
    ["@DB..ST/x", {}, "stage name:"],
    ['@"unterminated/x', {}, "must end with a quote"]
  ]
  it.each(rejected)("rejects %j (context %j): %s", (text, context, fragment) => {
    const error = failsWith(StageLocation.parse(text, context), "InvalidStageLocation", fragment)
    expect(error.input).toBe(text)
  })

  it("parseDirectory treats a location without trailing slash as a folder", () => {
    expect(ok(StageLocation.parseDirectory("@DB.S.ST/out"))).toStrictEqual(loc("DB", "S", "ST", "out", true))
    failsWith(StageLocation.parseDirectory("@DB.S.ST/../out"), "InvalidStageLocation", "'..'")
  })

  it("asDirectory and stageKey", () => {
    const file = at("@db.s.st/out/x.parquet")
    expect(StageLocation.asDirectory(file)).toStrictEqual({ ...file, isDirectory: true })
    expect(StageLocation.stageKey(file)).toBe('"DB"."S"."ST"')
  })
})

describe("StageLocation.child", () => {
  const folder = at("@DB.S.ST/out/")
  const accepted: ReadonlyArray<readonly [string, string, boolean]> = [
    ["a/b.parquet", "out/a/b.parquet", false],
    ["part-0.parquet", "out/part-0.parquet", false],
    ["sub/", "out/sub", true],
    ["", "out", true],
    ["./a", "out/a", false],
    ["a//b", "out/a/b", false],
    ["_SUCCESS", "out/_SUCCESS", false]
  ]
  it.each(accepted)("child(out/, %j) is %j", (relative, path, isDirectory) => {
    expect(ok(StageLocation.child(folder, relative))).toStrictEqual({ ...folder, path, isDirectory })
  })

  const rejected: ReadonlyArray<readonly [string, string]> = [
    ["../x", "'..'"],
    ["a/../../x", "'..'"],
    ["..", "'..'"],
    ["%2e%2e/x", "percent-encoded '..'"],
    ["a%2f..%2fb", "percent-encoded"],
    ["a\\..\\b", "backslash"],
    ["x\u0000", "NUL"]
  ]
  it.each(rejected)("child(out/, %j) cannot climb out: %s", (relative, fragment) => {
    failsWith(StageLocation.child(folder, relative), "InvalidStageLocation", fragment)
  })

  it("child of the stage root and explicit isDirectory", () => {
    const root = at("@DB.S.ST")
    expect(ok(StageLocation.child(root, "x"))).toStrictEqual(loc("DB", "S", "ST", "x", false))
    expect(ok(StageLocation.child(folder, "job1", { isDirectory: true }))).toStrictEqual(
      loc("DB", "S", "ST", "out/job1", true)
    )
  })
})

describe("StageLocation.contains and relativePath", () => {
  const cases: ReadonlyArray<readonly [string, string, string | false]> = [
    ["@DB.S.ST/out/", "@DB.S.ST/out/a/b.parquet", "a/b.parquet"],
    ["@DB.S.ST/out/", "@DB.S.ST/out/", ""],
    ["@DB.S.ST/out", "@DB.S.ST/out/x", "x"],
    ["@DB.S.ST/", "@DB.S.ST/any/x", "any/x"],
    ["@DB.S.ST/out/", "@DB.S.ST/output/x", false],
    ["@DB.S.ST/out/", "@DB.S.ST/x", false],
    ["@DB.S.ST/out/a/", "@DB.S.ST/out/", false],
    ["@DB.S.ST/out/", "@DB.S.OTHER/out/x", false],
    ["@DB.S.ST/out/", "@DB.T.ST/out/x", false],
    ["@DB.S.ST/out/", "@DB2.S.ST/out/x", false]
  ]
  it.each(cases)("contains(%j, %j) → %j", (outer, inner, relative) => {
    const o = at(outer)
    const i = at(inner)
    expect(StageLocation.contains(o, i)).toBe(relative !== false)
    if (relative !== false) expect(StageLocation.relativePath(o, i)).toBe(relative)
  })
})

describe("StageLocation.format", () => {
  const formatted: ReadonlyArray<readonly [string, string]> = [
    ["@db.s.st/a/b/", "@DB.S.ST/a/b/"],
    ["@DB.S.ST/a/b", "@DB.S.ST/a/b"],
    ["@DB.S.ST", "@DB.S.ST/"],
    ['@"my db".PUBLIC."Stage"/x', '@"my db".PUBLIC."Stage"/x'],
    ['@"lower".s.st', '@"lower".S.ST/'],
    ["@DB.S.ST/a//./b/", "@DB.S.ST/a/b/"]
  ]
  it.each(formatted)("format(parse(%j)) is %j", (text, expected) => {
    expect(StageLocation.format(at(text))).toBe(expected)
  })

  const roundTrips = [
    "@DB.SCHEMA.STAGE/out/",
    "@DB.SCHEMA.STAGE/out/part-0.parquet",
    '@"my db"."my schema"."my stage"/Dir With Spaces/f.txt',
    '@"a/b"."c.d".ST/x/',
    "@\"it's\".S.ST/o'k",
    '@"q""uote".S.ST/x',
    "@DB.S.ST"
  ]
  it.each(roundTrips)("parse(format(parse(%j))) is stable", (text) => {
    const first = at(text)
    expect(at(StageLocation.format(first))).toStrictEqual(first)
  })
})

describe("StageLocation.toSqlLiteral", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["@DB.S.ST/x", `'@"DB"."S"."ST"/x'`],
    ["@DB.S.ST/out/", `'@"DB"."S"."ST"/out/'`],
    [`@"it's".S.ST/o'k/`, `'@"it''s"."S"."ST"/o''k/'`],
    [`@DB.S.ST/x'; DROP TABLE t; --`, `'@"DB"."S"."ST"/x''; DROP TABLE t; --'`]
  ]
  it.each(cases)("toSqlLiteral(%j) is %s", (text, expected) => {
    const literal = StageLocation.toSqlLiteral(at(text))
    expect(literal).toBe(expected)
    // One SQL string literal: after removing the doubled quotes no single quote is left inside.
    expect(literal.slice(1, -1).replace(/''/g, "")).not.toContain("'")
  })
})
