import { describe, expect, it } from "@effect/vitest"
import { moduleReferences, packageNameOf } from "../src/module-specifiers.ts"

describe("moduleReferences", () => {
  it("finds every kind of specifier and marks those erased from the JavaScript", () => {
    const text = [
      'import type { A } from "type-import"',
      'import { type B } from "inline-type-kept-by-verbatim-module-syntax"',
      'import "side-effect"',
      'export * from "re-export"',
      'export type { C } from "type-re-export"',
      'const lazy = () => import("dynamic")',
      'type D = typeof import("type-query")'
    ].join("\n")
    expect(moduleReferences("index.ts", text)).toEqual([
      { specifier: "type-import", line: 1, typeOnly: true },
      { specifier: "inline-type-kept-by-verbatim-module-syntax", line: 2, typeOnly: false },
      { specifier: "side-effect", line: 3, typeOnly: false },
      { specifier: "re-export", line: 4, typeOnly: false },
      { specifier: "type-re-export", line: 5, typeOnly: true },
      { specifier: "dynamic", line: 6, typeOnly: false },
      { specifier: "type-query", line: 7, typeOnly: true }
    ])
  })

  it("reads require() in JavaScript files", () => {
    expect(moduleReferences("index.cjs", 'const x = require("cjs-dependency")\n')).toEqual([
      { specifier: "cjs-dependency", line: 1, typeOnly: false }
    ])
  })
})

describe("packageNameOf", () => {
  it("reduces a bare specifier to its package", () => {
    expect(packageNameOf("effect")).toBe("effect")
    expect(packageNameOf("effect/Schema")).toBe("effect")
    expect(packageNameOf("@runbatch/spec")).toBe("@runbatch/spec")
    expect(packageNameOf("@scope/pkg/deep/path")).toBe("@scope/pkg")
  })

  it("ignores what no package.json declares", () => {
    for (const specifier of [
      "./local.ts",
      "../up.ts",
      "/abs.js",
      "#internal",
      "node:fs",
      "fs",
      "fs/promises"
    ]) {
      expect(packageNameOf(specifier)).toBeUndefined()
    }
  })
})
