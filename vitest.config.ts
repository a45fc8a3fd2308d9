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
/**
 * Unit projects whose test files each need a fresh process, as vitest gives every file by default:
 * stage-io mocks a node module (`vi.mock("node:fs/promises")`, which a shared module graph would not
 * see); runtime's files start pipeline threads and onnxruntime sessions and count the threads their
 * process starts (Replica.test.ts), and its time is its tests', not imports. The other unit projects
 * run their files one after another in one worker that imports the workspace sources once
 * (`isolate: false`): importing them again for every file was most of those projects' time (spec:
 * 44 s of imports for 3 s of tests). Their files restore what they change in the process (environment
 * variables, listeners) and start their own homes, emulators and servers per test, so sharing the
 * worker changes no test's inputs. See docs/performance.md, "Test suite time".
 */
const ISOLATED_UNIT_PROJECTS = new Set(["@runbatch/runtime", "@runbatch/stage-io"])

const projects = packagesWithTests.flatMap((dir) => {
  const name = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string }).name
  const unit = {
    extends: true as const,
    test: {
      name,
      root: dir,
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**"],
      isolate: ISOLATED_UNIT_PROJECTS.has(name)
    }
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
