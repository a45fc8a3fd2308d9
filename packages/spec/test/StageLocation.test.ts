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
): StageLocation.StageLocation => ({ kind: "named", database, schema, stage, path, isDirectory })

const user = (path: string, isDirectory: boolean): StageLocation.StageLocation => ({
  kind: "user",
  database: "",
  schema: "",
  stage: "~",
  path,
  isDirectory
})

const table = (
  database: string,
  schema: string,
  name: string,
  path: string,
  isDirectory: boolean
): StageLocation.StageLocation => ({ kind: "table", database, schema, stage: name, path, isDirectory })

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
    ["@DB.S.ST/.hidden", {}, loc("DB", "S", "ST", ".hidden", false)],
    ["@~", {}, user("", true)],
    ["@~/", {}, user("", true)],
    ["@~/dir/", {}, user("dir", true)],
    ["@~/dir/f.parquet", {}, user("dir/f.parquet", false)],
    ["@~//a/./b", CONTEXT, user("a/b", false)],
    ["@%T/x", CONTEXT, table("DB", "SC", "T", "x", false)],
    ["@%t", CONTEXT, table("DB", "SC", "T", "", true)],
    ["@DB.S.%T/x/", {}, table("DB", "S", "T", "x", true)],
    ["@OTHER.%T/x", CONTEXT, table("DB", "OTHER", "T", "x", false)],
    ['@%"my table"/x', CONTEXT, table("DB", "SC", "my table", "x", false)],
    ['@"my db".S.%"my table"/a b', {}, table("my db", "S", "my table", "a b", false)],
    ['@%"50%"/x', CONTEXT, table("DB", "SC", "50%", "x", false)],
    ['@"%S"/x', CONTEXT, loc("DB", "SC", "%S", "x", false)]
  ]
  it.each(accepted)("accepts %j (context %j)", (text, context, expected) => {
    expect(at(text, context)).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [string, Identifier.NameContext, string]> = [
    ["DB.S.ST/x", {}, "a stage location starts with @"],
    ["", {}, "a stage location starts with @"],
    ["@~..", {}, "the user stage is written @~ followed by /"],
    ["@~x/y", {}, "the user stage is written @~ followed by /"],
    ["@~/../x", {}, "the path contains '..'"],
    ["@~/a/%2e%2e/x", {}, "percent-encoded '..'"],
    ["@~/a\\b", {}, "backslash"],
    ["@~/a\u0000b", {}, "NUL character"],
    ["@%", CONTEXT, "the table name after % is missing"],
    ["@%/x", CONTEXT, "the table name after % is missing"],
    ["@DB.S.%/x", {}, "the table name after % is missing"],
    ['@%""', CONTEXT, "table name: a quoted identifier cannot be empty"],
    ["@%T/../x", CONTEXT, "the path contains '..'"],
    ["@%T/%2E%2E", CONTEXT, "percent-encoded '..'"],
    ["@%T/x", {}, "the table is not qualified and there is no current database"],
    ["@%T/x", { database: "DB" }, "there is no current schema"],
    ["@%%T/x", CONTEXT, "table name:"],
    ["@%DB.T/x", CONTEXT, "stage name:"],
    ["@A.B.C.%T/x", {}, "at most three parts"],
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
    expect(StageLocation.stageKey(at("@~/x"))).toBe("~")
    expect(StageLocation.stageKey(at('@db.s.%"t"/x'))).toBe('"DB"."S".%"t"')
    // A table stage and a named stage of the same name are different stages.
    expect(StageLocation.stageKey(at("@DB.S.%T/x"))).not.toBe(StageLocation.stageKey(at("@DB.S.T/x")))
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

  it("child keeps the stage kind", () => {
    expect(ok(StageLocation.child(at("@~/out/"), "a.parquet"))).toStrictEqual(user("out/a.parquet", false))
    expect(ok(StageLocation.child(at("@DB.S.%T"), "x/"))).toStrictEqual(table("DB", "S", "T", "x", true))
    failsWith(StageLocation.child(at("@~/out/"), "../x"), "InvalidStageLocation", "'..'")
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
    ["@DB.S.ST/out/", "@DB2.S.ST/out/x", false],
    ["@~/out/", "@~/out/a", "a"],
    ["@~", "@~/any/x", "any/x"],
    ["@~/out/", "@~/output/x", false],
    ["@DB.S.%T/out/", "@DB.S.%T/out/a", "a"],
    ["@DB.S.%T/", "@DB.S.T/x", false],
    ["@DB.S.T/", "@DB.S.%T/x", false],
    ["@DB.S.%T/", "@DB.S.%U/x", false],
    ["@~/", "@DB.S.%T/x", false]
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
    ["@DB.S.ST/a//./b/", "@DB.S.ST/a/b/"],
    ["@~", "@~/"],
    ["@~//dir/./f", "@~/dir/f"],
    ["@db.s.%t/x", "@DB.S.%T/x"],
    ['@db.s.%"my table"/x/', '@DB.S.%"my table"/x/']
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
    "@DB.S.ST",
    "@~/dir/",
    "@~/f.parquet",
    "@~",
    "@DB.S.%T/x",
    '@"my db".S.%"my table"/a b/',
    '@DB.S.%"q""uote"/x',
    "@DB.S.%T"
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
    [`@DB.S.ST/x'; DROP TABLE t; --`, `'@"DB"."S"."ST"/x''; DROP TABLE t; --'`],
    ["@~/dir/", `'@~/dir/'`],
    ["@~/o'k", `'@~/o''k'`],
    ["@DB.S.%T/x", `'@"DB"."S".%"T"/x'`],
    [`@DB.S.%"it's"/x`, `'@"DB"."S".%"it''s"/x'`]
  ]
  it.each(cases)("toSqlLiteral(%j) is %s", (text, expected) => {
    const literal = StageLocation.toSqlLiteral(at(text))
    expect(literal).toBe(expected)
    // One SQL string literal: after removing the doubled quotes no single quote is left inside.
    expect(literal.slice(1, -1).replace(/''/g, "")).not.toContain("'")
  })
})
