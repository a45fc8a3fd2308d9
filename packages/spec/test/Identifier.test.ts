import { describe, expect, it } from "@effect/vitest"
import { Identifier } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

const UNQUOTED_RULE = "an unquoted identifier starts with a letter or underscore"

describe("Identifier.resolve", () => {
  const accepted: ReadonlyArray<readonly [string, string]> = [
    ["abc", "ABC"],
    ["a$b", "A$B"],
    ["_x1", "_X1"],
    ["MixedCase", "MIXEDCASE"],
    ["ABC", "ABC"],
    ['"Abc"', "Abc"],
    ['"a""b"', 'a"b'],
    ['""""', '"'],
    ['"my table"', "my table"],
    ['"a.b"', "a.b"],
    ['"1abc"', "1abc"],
    ['"ünï"', "ünï"],
    ["a".repeat(255), "A".repeat(255)],
    [`"${"q".repeat(255)}"`, "q".repeat(255)]
  ]
  it.each(accepted)("accepts %j as %j", (input, expected) => {
    expect(ok(Identifier.resolve(input))).toBe(expected)
  })

  const rejected: ReadonlyArray<readonly [string, string]> = [
    ["", "it is empty."],
    ['""', "a quoted identifier cannot be empty."],
    ['"abc', "a quoted identifier must end with a quote."],
    ['"', "a quoted identifier must end with a quote."],
    ['"a"b"', 'a quote inside a quoted identifier must be doubled ("")'],
    ['"""', 'a quote inside a quoted identifier must be doubled ("")'],
    ['abc"', UNQUOTED_RULE],
    ['a"b', UNQUOTED_RULE],
    ["1abc", UNQUOTED_RULE],
    ["a-b", UNQUOTED_RULE],
    ["a b", UNQUOTED_RULE],
    ["a.b", UNQUOTED_RULE],
    ["$abc", UNQUOTED_RULE],
    [" abc", UNQUOTED_RULE],
    ["a".repeat(256), "longer than 255 characters"],
    [`"${"q".repeat(256)}"`, "longer than 255 characters"],
    ['"a\u0000b"', "NUL"]
  ]
  it.each(rejected)("rejects %j (%s)", (input, fragment) => {
    const error = failsWith(Identifier.resolve(input), "InvalidIdentifier", fragment)
    expect(error.input).toBe(input)
  })
})

describe("Identifier.parseQualified", () => {
  const accepted: ReadonlyArray<readonly [string, Identifier.QualifiedName]> = [
    ["t", { name: "T" }],
    ["s.t", { schema: "S", name: "T" }],
    ["d.s.t", { database: "D", schema: "S", name: "T" }],
    ['"a.b".c', { schema: "a.b", name: "C" }],
    ['"My DB"."my schema"."T"', { database: "My DB", schema: "my schema", name: "T" }],
    ['db."x.y.z"', { schema: "DB", name: "x.y.z" }],
    ['"a""b".c', { schema: 'a"b', name: "C" }],
    ['"a"".b".c', { schema: 'a".b', name: "C" }],
    ["  db.s.t  ", { database: "DB", schema: "S", name: "T" }]
  ]
  it.each(accepted)("accepts %j", (input, expected) => {
    expect(ok(Identifier.parseQualified(input))).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [string, string]> = [
    ["a.b.c.d", "at most three parts"],
    ['"a.b".c.d.e', "at most three parts"],
    ["a..b", "it is empty"],
    [".a", "it is empty"],
    ["a.", "it is empty"],
    ["a.1b", "part 1b"],
    ['"a.b', "must end with a quote"],
    ["a.b-c", UNQUOTED_RULE]
  ]
  it.each(rejected)("rejects %j (%s)", (input, fragment) => {
    failsWith(Identifier.parseQualified(input), "InvalidIdentifier", fragment)
  })
})

describe("Identifier.parseFullyQualified", () => {
  const accepted: ReadonlyArray<readonly [string, Identifier.NameContext, Identifier.FullyQualifiedName]> = [
    ["t", { database: "DB", schema: "SC" }, { database: "DB", schema: "SC", name: "T" }],
    ["s.t", { database: "DB" }, { database: "DB", schema: "S", name: "T" }],
    ["s.t", { database: "DB", schema: "IGNORED" }, { database: "DB", schema: "S", name: "T" }],
    ["d.s.t", {}, { database: "D", schema: "S", name: "T" }],
    ['"d".s."t"', { database: "X", schema: "Y" }, { database: "d", schema: "S", name: "t" }]
  ]
  it.each(accepted)("resolves %j against %j", (input, context, expected) => {
    expect(ok(Identifier.parseFullyQualified(input, context))).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [string, Identifier.NameContext, string]> = [
    ["t", {}, "no current database"],
    ["t", { database: "DB" }, "no current schema"],
    ["t", { schema: "SC" }, "no current database"],
    ["s.t", {}, "no current database"],
    ["1t", { database: "DB", schema: "SC" }, UNQUOTED_RULE]
  ]
  it.each(rejected)("rejects %j with context %j (%s)", (input, context, fragment) => {
    failsWith(Identifier.parseFullyQualified(input, context), "InvalidIdentifier", fragment)
  })
})

describe("Identifier.format and quote", () => {
  const formatted: ReadonlyArray<readonly [string, string]> = [
    ["ABC", "ABC"],
    ["_X$1", "_X$1"],
    ["abc", '"abc"'],
    ["Abc", '"Abc"'],
    ["A B", '"A B"'],
    ['a"b', '"a""b"'],
    ["1A", '"1A"'],
    ["$A", '"$A"'],
    ["A.B", '"A.B"']
  ]
  it.each(formatted)("format(%j) is %j", (name, expected) => {
    expect(Identifier.format(name)).toBe(expected)
    expect(Identifier.needsQuotes(name)).toBe(expected.startsWith('"'))
  })

  const quoted: ReadonlyArray<readonly [string, string]> = [
    ["ABC", '"ABC"'],
    ["abc", '"abc"'],
    ['a"b', '"a""b"'],
    ['x"; DROP TABLE t; --', '"x""; DROP TABLE t; --"']
  ]
  it.each(quoted)("quote(%j) is %j", (name, expected) => {
    expect(Identifier.quote(name)).toBe(expected)
  })

  it("keeps an injection attempt inside one quoted identifier", () => {
    const attack = 'x"; DROP TABLE t; --'
    const sql = `SELECT * FROM ${Identifier.quote(attack)}`
    const quotedPart = sql.slice("SELECT * FROM ".length)
    // One identifier: no dot outside quotes splits it, and it resolves back to the raw text.
    expect(Identifier.splitParts(quotedPart)).toHaveLength(1)
    expect(ok(Identifier.resolve(quotedPart))).toBe(attack)
    // Every quote inside is doubled, so the identifier cannot be closed early.
    expect(quotedPart.slice(1, -1).replace(/""/g, "")).not.toContain('"')
  })

  const names = [
    "ABC",
    "abc",
    "Abc",
    "a b",
    'a"b',
    '"',
    '""',
    "a.b",
    'x"; DROP TABLE t; --',
    "_X$1",
    "1A",
    "ünïcödé",
    "SELECT",
    "a'b",
    "tab\there",
    "$A",
    "A".repeat(255)
  ]
  it.each(names)("round-trips %j through format and quote", (name) => {
    expect(ok(Identifier.resolve(Identifier.format(name)))).toBe(name)
    expect(ok(Identifier.resolve(Identifier.quote(name)))).toBe(name)
  })

  const qualified: ReadonlyArray<Identifier.QualifiedName> = [
    { name: "T" },
    { schema: "s.x", name: "t" },
    { database: "My DB", schema: "PUBLIC", name: 'a"b' },
    { database: "D", schema: "S", name: "x.y" }
  ]
  it.each(qualified)("round-trips qualified %j", (name) => {
    expect(ok(Identifier.parseQualified(Identifier.formatQualified(name)))).toStrictEqual(name)
    expect(ok(Identifier.parseQualified(Identifier.quoteQualified(name)))).toStrictEqual(name)
  })

  it("quoteQualified quotes every part, formatQualified only where needed", () => {
    const name = { database: "DB", schema: "my schema", name: "T" }
    expect(Identifier.quoteQualified(name)).toBe('"DB"."my schema"."T"')
    expect(Identifier.formatQualified(name)).toBe('DB."my schema".T')
  })

  const equal: ReadonlyArray<readonly [string, string, boolean]> = [
    ["feature1", "FEATURE1", true],
    ["Feature2", "feature2", true],
    ["feature 4", "FEATURE 4", true],
    ["feature_5", "feature-5", false],
    ["a", "b", false]
  ]
  it.each(equal)("equalsIgnoreCase(%j, %j) is %s", (a, b, expected) => {
    expect(Identifier.equalsIgnoreCase(a, b)).toBe(expected)
  })
})
