/** Launcher test helpers: a fresh home, the local launcher over it, the fake replica command. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { onTestFinished } from "vitest"
import {
  type JobHandle,
  JobLauncher,
  type JobLauncherShape,
  type LaunchRequest,
  type LocalLauncherOptions
} from "../src/index.ts"

export const root = fileURLToPath(new URL("../../..", import.meta.url))
export const fakeReplica = fileURLToPath(new URL("./fixtures/fake-replica.mjs", import.meta.url))

export const tempDir = (prefix = "runbatch-launcher-"): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export const localOptions = (
  home: string,
  options: Partial<LocalLauncherOptions> = {}
): LocalLauncherOptions => ({
  home,
  database: "ML",
  schema: "PUBLIC",
  stopGraceSeconds: 2,
  ...options
})

/** Run `f` with the local launcher over `home`. */
export const withLauncher = <A, E>(
  home: string,
  f: (launcher: JobLauncherShape) => Effect.Effect<A, E>,
  options: Partial<LocalLauncherOptions> = {}
): Promise<A> =>
  Effect.runPromise(
    JobLauncher.use(f).pipe(Effect.provide(JobLauncher.layerLocal(localOptions(home, options))))
  )

/** Like `withLauncher`, resolving to the failure (and rejecting if it succeeds). */
export const failureOf = <A, E>(
  home: string,
  f: (launcher: JobLauncherShape) => Effect.Effect<A, E>,
  options: Partial<LocalLauncherOptions> = {}
): Promise<E> =>
  Effect.runPromise(
    Effect.flip(JobLauncher.use(f)).pipe(Effect.provide(JobLauncher.layerLocal(localOptions(home, options))))
  )

/** A request running the fake replica, told what to do by `env`. */
export const fakeRequest = (
  name: string,
  replicas: number,
  env: Readonly<Record<string, string>> = {},
  extra: Partial<LaunchRequest> = {}
): LaunchRequest => ({
  job: { database: "ML", schema: "PUBLIC", name },
  planLocation: `@ML.PUBLIC.RESULTS/out/_runbatch/${name}/plan.json`,
  replicas,
  replicaCommand: { command: process.execPath, args: [fakeReplica] },
  env,
  cpus: 4,
  ...extra
})

export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** Poll `check` until it returns a value, for at most `millis`. */
export const eventually = async <A>(
  check: () => A | undefined | Promise<A | undefined>,
  millis = 20_000
): Promise<A> => {
  const deadline = Date.now() + millis
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error("timed out waiting for a condition")
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A JSON file's contents, or undefined while it does not exist. */
export const readJsonFile = <A>(path: string): A | undefined => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as A
  } catch {
    return undefined
  }
}

/** Wait for a job to reach a line of its log (e.g. "hanging"). */
export const logReaches = (job: JobHandle, text: string, instance = 0): Promise<string> =>
  eventually(() => {
    const log = Effect.runSync(job.getLogs({ instance, asList: false }).pipe(Effect.orElseSucceed(() => "")))
    return log.includes(text) ? log : undefined
  })
