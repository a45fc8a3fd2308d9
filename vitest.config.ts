import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

// Two test tiers per workspace package with a test/ folder, each a vitest project named after the
// package: `@runbatch/spec` runs its unit and integration tests (`npm test`), `@runbatch/spec:e2e`
// the ones under test/e2e/ — many processes, whole jobs, packed installs (`npm run test:e2e`). nx
// runs one project per task (each package's `test` and `e2e` scripts); a bare `vitest run` runs all.
const repoRoot = fileURLToPath(new URL(".", import.meta.url))
const workspaceFolders = ["packages", "plugins", "tools"].map((folder) => join(repoRoot, folder))
const packagesWithTests = workspaceFolders.flatMap((folder) =>
  (existsSync(folder) ? readdirSync(folder, { withFileTypes: true }) : [])
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(folder, entry.name))
    .filter((dir) => existsSync(join(dir, "test")) && existsSync(join(dir, "package.json")))
)
const projects = packagesWithTests.flatMap((dir) => {
  const name = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string }).name
  const unit = {
    extends: true as const,
    test: { name, root: dir, include: ["test/**/*.test.ts"], exclude: ["test/e2e/**"] }
  }
  const e2e = {
    extends: true as const,
    test: { name: `${name}:e2e`, root: dir, include: ["test/e2e/**/*.test.ts"], testTimeout: 180_000 }
  }
  return existsSync(join(dir, "test", "e2e")) ? [unit, e2e] : [unit]
})

export default defineConfig({
  // In a test's own process workspace packages resolve to their TypeScript sources.
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
    hookTimeout: 60_000
  }
})
