/**
 * A fake model server in a child process: what benchmarks use, so that `process.cpuUsage()` in the
 * benchmark measures the client alone. The child runs the built testkit (EntryPoint), built first.
 */
import { type ChildProcess, fork } from "node:child_process"
import { existsSync } from "node:fs"
import { EntryPoint } from "@runbatch/spec"
import type { FakeExternalFunctionOptions } from "./FakeExternalFunctionServer.ts"
import type { FakeServerStats, Fault } from "./FakeHttp.ts"
import type { FakeOpenAiOptions } from "./FakeOpenAiServer.ts"

export type ServerSpec =
  | { readonly kind: "openai"; readonly options: FakeOpenAiOptions }
  | {
      readonly kind: "external-function"
      readonly options: Omit<FakeExternalFunctionOptions, "compute"> & {
        readonly compute?: "echo" | "sum" | "object" | "length"
      }
    }

export type ParentMessage =
  | { readonly type: "stats" }
  | { readonly type: "faults"; readonly faults: ReadonlyArray<Fault> }
  | { readonly type: "close" }

type ChildMessage =
  | { readonly type: "ready"; readonly url: string }
  | { readonly type: "stats"; readonly stats: FakeServerStats; readonly cpu: NodeJS.CpuUsage }

export interface ServerProcess {
  readonly url: string
  /** The server's counters and its process's CPU time so far. */
  readonly stats: () => Promise<{ readonly stats: FakeServerStats; readonly cpu: NodeJS.CpuUsage }>
  readonly setFaults: (faults: ReadonlyArray<Fault>) => void
  readonly close: () => Promise<void>
}

const entry = EntryPoint.beside(import.meta.url, "fake-server-process")

export const spawn = (spec: ServerSpec): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    if (!existsSync(entry.file)) {
      reject(new Error(`${entry.file} does not exist: build @runbatch/testkit first (tsc -b).`))
      return
    }
    const child: ChildProcess = fork(entry.file, [JSON.stringify(spec)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: [...entry.execArgv]
    })
    const waiting: Array<(message: ChildMessage & { type: "stats" }) => void> = []
    child.on("message", (message: ChildMessage) => {
      if (message.type === "ready") {
        resolve({
          url: message.url,
          stats: () =>
            new Promise((done) => {
              waiting.push(done)
              child.send({ type: "stats" } satisfies ParentMessage)
            }),
          setFaults: (faults) => child.send({ type: "faults", faults } satisfies ParentMessage),
          close: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done()
              child.once("exit", () => done())
              child.send({ type: "close" } satisfies ParentMessage)
            })
        })
      } else waiting.shift()?.(message)
    })
    child.once("error", reject)
    child.once("exit", (code) =>
      reject(new Error(`the fake server process exited (${code}) before it was ready`))
    )
  })
