import { describe, expect, it } from "@effect/vitest"
import { EntryPoint } from "@runbatch/spec"

describe("EntryPoint.beside", () => {
  it("starts the module beside built code, with this process's flags but not the debugger's", () => {
    expect(
      EntryPoint.beside("file:///app/node_modules/@runbatch/runtime/dist/ReplicaCommand.js", "main", [
        "--max-old-space-size=4096",
        "--inspect=9229",
        "--conditions=custom",
        "--enable-source-maps"
      ])
    ).toEqual({
      file: "/app/node_modules/@runbatch/runtime/dist/main.js",
      execArgv: ["--max-old-space-size=4096", "--conditions=custom", "--enable-source-maps"]
    })
  })

  it("starts the package's build of it from TypeScript sources, resolving packages to builds too", () => {
    expect(
      EntryPoint.beside("file:///repo/packages/runbatch/src/cli/commands/run.ts", "progress-thread", [
        "--conditions",
        "@runbatch/source",
        "-C",
        "development",
        "--conditions=node",
        "--require",
        "/repo/node_modules/vitest/suppress-warnings.cjs",
        "--inspect-brk"
      ])
    ).toEqual({
      file: "/repo/packages/runbatch/dist/cli/commands/progress-thread.js",
      execArgv: ["--require", "/repo/node_modules/vitest/suppress-warnings.cjs"]
    })
  })

  it("refuses sources outside a src folder, which have no build to start", () => {
    expect(() => EntryPoint.beside("file:///scratch/script.ts", "worker", [])).toThrow(
      "/scratch/script.ts runs from sources outside a src folder: no build to start for worker."
    )
  })
})

describe("EntryPoint.conditions", () => {
  it("puts this process's --conditions before Node's own", () => {
    expect(EntryPoint.conditions(["--conditions", "a", "-C", "b", "--conditions=c", "--trace-gc"])).toEqual([
      "a",
      "b",
      "c",
      "node",
      "import",
      "default"
    ])
    expect(EntryPoint.conditions([])).toEqual(["node", "import", "default"])
  })
})
