import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// One vitest project per workspace package that has a test/ folder, named after the package, so
// `vitest run --project @runbatch/spec` runs one package and a bare `vitest run` runs them all in
// one process (one JSON report for CI).
const repoRoot = fileURLToPath(new URL(".", import.meta.url))
const workspaceFolders = ["packages", "plugins", "tools"].map((folder) => join(repoRoot, folder))
const projects = workspaceFolders.flatMap((folder) =>
  (existsSync(folder) ? readdirSync(folder, { withFileTypes: true }) : [])
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(folder, entry.name))
    .filter((dir) => readdirSync(dir).includes("test") && readdirSync(dir).includes("package.json"))
    .map((dir) => ({
      extends: true as const,
      test: {
        name: (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string }).name,
        root: dir,
        include: ["test/**/*.test.ts"]
      }
    }))
)

const jsonReport = process.env["RUNBATCH_TEST_REPORT"]

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources in tests, so no build is needed first.
  resolve: { conditions: ["@runbatch/source"] },
  ssr: { resolve: { conditions: ["@runbatch/source"] } },
  test: {
    projects,
    // Threads and processes that tests start run the build: build first (see the file).
    globalSetup: [join(repoRoot, "vitest.global-setup.ts")],
    // snowflake-sdk probes cloud metadata addresses at import unless this is set before it loads.
    env: {
      SNOWFLAKE_DISABLE_PLATFORM_DETECTION: "true",
      SF_TELEMETRY_DISABLE_CONNECTION_SHAPE: "1"
    },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: jsonReport ? ["default", ["json", { outputFile: jsonReport }]] : ["default"]
  }
})
