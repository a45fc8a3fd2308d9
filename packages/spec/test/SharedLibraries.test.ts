import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { DuplicateDependency, SharedLibraries } from "@runbatch/spec"
import { onTestFinished } from "vitest"

/** An app folder of package.json files only: the check reads manifests and never imports. */
const app = (): string => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "runbatch-shared-")))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const pkg = (dir: string, json: Record<string, unknown>): string => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "package.json"), JSON.stringify({ version: "0.1.0", ...json }))
  writeFileSync(join(dir, "index.js"), "")
  return dir
}

/** The URL of a module of the package in `dir`, as `import.meta.url` would say. */
const moduleOf = (dir: string): string => pathToFileURL(join(dir, "index.js")).href

describe("SharedLibraries", () => {
  it("registers the copies every package resolves, and the packages that use them", () => {
    const root = app()
    pkg(join(root, "node_modules/effect"), { name: "effect", version: "4.1.5" })
    const spec = pkg(join(root, "node_modules/@runbatch/spec"), {
      name: "@runbatch/spec",
      peerDependencies: { effect: "^4.1.0" }
    })
    const session = pkg(join(root, "node_modules/@runbatch/session"), {
      name: "@runbatch/session",
      dependencies: { "@runbatch/spec": "0.1.0", yaml: "2.9.1" },
      peerDependencies: { effect: "^4.1.0" }
    })
    const registry: SharedLibraries.Registry = new Map()
    SharedLibraries.register(moduleOf(spec), registry)
    SharedLibraries.register(moduleOf(session), registry)
    expect(Object.fromEntries(registry)).toEqual({
      effect: {
        library: "effect",
        version: "4.1.5",
        directory: join(root, "node_modules/effect"),
        usedBy: ["@runbatch/spec", "@runbatch/session"]
      },
      "@runbatch/spec": {
        library: "@runbatch/spec",
        version: "0.1.0",
        directory: spec,
        usedBy: ["@runbatch/spec", "@runbatch/session"]
      }
    })
  })

  it("refuses a package that resolves a second copy, naming both copies, their users and the fix", () => {
    const root = app()
    pkg(join(root, "node_modules/effect"), { name: "effect", version: "4.1.5" })
    const facade = pkg(join(root, "node_modules/@runbatch/runbatch"), {
      name: "@runbatch/runbatch",
      peerDependencies: { effect: "^4.1.0" }
    })
    // What npm did with `"effect": "4.1.0"` as a plain dependency: a private copy nested in the package.
    const spec = pkg(join(root, "node_modules/@runbatch/spec"), {
      name: "@runbatch/spec",
      dependencies: { effect: "4.1.0" }
    })
    pkg(join(spec, "node_modules/effect"), { name: "effect", version: "4.1.0" })
    const registry: SharedLibraries.Registry = new Map()
    SharedLibraries.register(moduleOf(facade), registry)
    let thrown: unknown
    try {
      SharedLibraries.register(moduleOf(spec), registry)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(DuplicateDependency)
    const error = thrown as DuplicateDependency
    expect(error.library).toBe("effect")
    expect(error.message).toBe(
      `Two copies of effect are installed, and runbatch's packages must share one: ` +
        `4.1.5 at ${root}/node_modules/effect (used by @runbatch/runbatch) and ` +
        `4.1.0 at ${spec}/node_modules/effect (used by @runbatch/spec). ` +
        "Objects made by one copy (schemas, errors, Arrow tables) are not recognised by the other. " +
        "Fix: install one version for the whole app — `npm ls effect` shows who asks for which; make every " +
        "@runbatch package the same version and run `npm dedupe`, or add " +
        '"overrides": { "effect": "4.1.5" } to your package.json and install again.'
    )
    // The refused package registered nothing.
    expect(registry.get("effect")?.usedBy).toEqual(["@runbatch/runbatch"])
  })

  it("takes a linked package for the folder it links to, as Node's resolver does", () => {
    const root = app()
    const store = pkg(join(root, "store/effect@4.1.5"), { name: "effect", version: "4.1.5" })
    mkdirSync(join(root, "node_modules"), { recursive: true })
    symlinkSync(store, join(root, "node_modules/effect"))
    const a = pkg(join(root, "node_modules/a"), { name: "a", peerDependencies: { effect: "*" } })
    const b = pkg(join(root, "node_modules/b"), { name: "b", peerDependencies: { effect: "*" } })
    const registry: SharedLibraries.Registry = new Map()
    SharedLibraries.register(moduleOf(a), registry)
    SharedLibraries.register(moduleOf(b), registry)
    expect(registry.get("effect")?.directory).toBe(store)
  })

  it("reports what a plugin would load differently, before its code runs", () => {
    const root = app()
    pkg(join(root, "node_modules/apache-arrow"), { name: "apache-arrow", version: "21.2.0" })
    const host = pkg(join(root, "node_modules/@runbatch/plugin-api"), {
      name: "@runbatch/plugin-api",
      peerDependencies: { "apache-arrow": "^21.2.0" }
    })
    const plugin = pkg(join(root, "node_modules/runbatch-engine-x"), {
      name: "runbatch-engine-x",
      version: "2.0.0",
      dependencies: { "@runbatch/plugin-api": "0.0.9", "apache-arrow": "20.0.0", leftpad: "1.0.0" }
    })
    pkg(join(plugin, "node_modules/@runbatch/plugin-api"), { name: "@runbatch/plugin-api", version: "0.0.9" })
    pkg(join(plugin, "node_modules/apache-arrow"), { name: "apache-arrow", version: "20.0.0" })
    const registry: SharedLibraries.Registry = new Map()
    SharedLibraries.register(moduleOf(host), registry)
    const found = SharedLibraries.conflicts(plugin, "runbatch-engine-x", registry)
    expect(found.map((e) => [e.library, e.copies.map((c) => `${c.version} ${c.usedBy}`)])).toEqual([
      ["apache-arrow", ["21.2.0 @runbatch/plugin-api", "20.0.0 runbatch-engine-x"]],
      ["@runbatch/plugin-api", ["0.1.0 @runbatch/plugin-api", "0.0.9 runbatch-engine-x"]]
    ])
  })

  it("registers nothing for code outside an installed package (a bundle, a data: URL)", () => {
    const registry: SharedLibraries.Registry = new Map()
    SharedLibraries.register("data:text/javascript,", registry)
    SharedLibraries.register(pathToFileURL(join(app(), "bundle.js")).href, registry)
    expect(registry.size).toBe(0)
  })

  it("holds this process's packages, one copy each", () => {
    const copies = [...SharedLibraries.processRegistry().values()]
    expect(copies.map((c) => c.library).sort()).toEqual(["@runbatch/spec", "apache-arrow", "effect"])
    expect(copies.find((c) => c.library === "effect")?.usedBy).toContain("@runbatch/spec")
  })
})
