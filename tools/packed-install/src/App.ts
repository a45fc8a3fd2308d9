/**
 * An application outside the repository, as a user would make one: its own package.json naming the
 * packed tarballs, no workspace, no overrides, third-party packages from the registry (through npm's
 * cache, so a second run reaches no network). Commands run in it with an environment cleaned of the
 * workspace's npm settings, so nothing of the repository leaks in.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface App {
  readonly dir: string
  /** Run a command in the app (`npx`, `node`, …) and collect its output; never throws. */
  readonly run: (command: string, args: ReadonlyArray<string>, env?: Record<string, string>) => Run
}

/** Set by the tools running the tests (npm, nx, vitest), not by a user's shell. */
const fromTestTools = (key: string): boolean =>
  /^(npm_|NX_|VITEST)/i.test(key) || ["INIT_CWD", "NODE_OPTIONS", "FORCE_COLOR"].includes(key)

/**
 * The environment of a user's shell: this process's, without what npm and the workspace put there
 * (npm_* settings such as the workspace's .npmrc, colours forced for a log), plus what the install
 * docs tell users.
 */
export const userEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || fromTestTools(key)) continue
    env[key] = value
  }
  // README, Install: skip onnxruntime-node's CUDA download. And never probe cloud metadata addresses.
  env["ONNXRUNTIME_NODE_INSTALL"] = "skip"
  env["SNOWFLAKE_DISABLE_PLATFORM_DETECTION"] = "true"
  return env
}

const runIn =
  (dir: string) =>
  (command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): Run => {
    const result = spawnSync(command, [...args], {
      cwd: dir,
      env: { ...userEnv(), ...env },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024
    })
    return { code: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" }
  }

/** An app in `dir` depending on `dependencies` (name → `file:` tarball or registry version). */
export const install = (
  dir: string,
  dependencies: Readonly<Record<string, string>>,
  devDependencies: Readonly<Record<string, string>>
): App => {
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "packed-app", version: "1.0.0", private: true, type: "module", dependencies, devDependencies }, null, 2)}\n`
  )
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: dir,
    env: userEnv(),
    stdio: ["ignore", "pipe", "pipe"]
  })
  return { dir, run: runIn(dir) }
}
