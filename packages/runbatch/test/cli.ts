/** Running the real `runbatch` command (the built package) as a child process, the way users do. */
import { execFile, spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { TestEngine } from "@runbatch/testkit"
import { expect } from "vitest"
import { tempHome } from "./support.ts"

export const bin = fileURLToPath(new URL("../bin/runbatch.js", import.meta.url))

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const runCli = (
  home: string,
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, "--home", home, ...args],
      { env: { ...process.env, RUNBATCH_CPUS: "2", ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : 1,
          stdout,
          stderr
        })
    )
  })

/** Write a file into `dir` and return its path. */
export const file = (dir: string, name: string, content: string | Uint8Array): string => {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const signatureYaml = `predict:
  inputs:
    - {name: x, type: DOUBLE}
    - {name: z, type: DOUBLE}
  outputs:
    - {name: y, type: DOUBLE}
`

const csv = (rows: number) =>
  ["id,x,z", ...Array.from({ length: rows }, (_, i) => `${i},${i * 0.5},${(i % 7) - 3}`)].join("\n")

/**
 * A fresh home with table ML.PUBLIC.POINTS (n rows: id, x, z) and model ML.PUBLIC.LINEAR V1 on the
 * test engine, made with the CLI; `g` selects ML.PUBLIC in later commands.
 */
export const prepareHome = async (rows = 2000, engineOptions = "weights: [2, -1]\nbias: 0.25\n") => {
  const home = tempHome()
  const g = ["--database", "ML", "--schema", "PUBLIC"]
  expect(
    (await runCli(home, [...g, "table", "create", "POINTS", "--from", file(home, "points.csv", csv(rows))]))
      .code
  ).toBe(0)
  const logged = await runCli(home, [
    ...g,
    "model",
    "log",
    "--name",
    "linear",
    "--version",
    "v1",
    "--engine",
    TestEngine.id,
    "--signature",
    file(home, "signature.yaml", signatureYaml),
    "--options",
    file(home, "options.yaml", engineOptions),
    "--plugin",
    TestEngine.packageDir
  ])
  expect(logged.code, logged.stderr).toBe(0)
  return { home, g }
}

/** A process that reads what the CLI writes, as on the right of a shell's `|` (`head -c 1000`, `cat`). */
export interface Reader {
  readonly command: string
  readonly args: ReadonlyArray<string>
}

/** Passes what it reads on, pausing 5 ms after each chunk: a reader far slower than the writer. */
export const slowReader: Reader = {
  command: process.execPath,
  args: [
    "-e",
    `process.stdin.on("data", (chunk) => {
       process.stdout.write(chunk)
       process.stdin.pause()
       setTimeout(() => process.stdin.resume(), 5)
     })`
  ]
}

export interface PipedResult {
  /** The CLI's exit code (null when a signal ended it) and signal. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** What the reader printed. */
  readonly read: Buffer
  /** The CLI's streams that did not go to the reader, collected whole ("" for those that did). */
  readonly stdout: string
  readonly stderr: string
}

/**
 * `runbatch … | reader`: the CLI with `streams` (stdout, stderr, or both as with `2>&1`) writing into
 * the reader's stdin — the reader alone holds the other end, so when it exits the CLI's writes fail
 * with EPIPE, as in a shell pipeline.
 */
export const runCliPiped = (
  home: string,
  args: ReadonlyArray<string>,
  streams: "stdout" | "stderr" | "both",
  reader: Reader,
  env: Record<string, string> = {}
): Promise<PipedResult> => {
  const read: Array<Buffer> = []
  const readerProcess = spawn(reader.command, [...reader.args], { stdio: ["pipe", "pipe", "inherit"] })
  readerProcess.stdout.on("data", (chunk: Buffer) => read.push(chunk))
  const readerClosed = new Promise<void>((resolve) => readerProcess.on("close", () => resolve()))
  const into = readerProcess.stdin
  const cli = spawn(process.execPath, [bin, "--home", home, ...args], {
    env: { ...process.env, RUNBATCH_CPUS: "2", ...env },
    stdio: ["ignore", streams === "stderr" ? "pipe" : into, streams === "stdout" ? "pipe" : into]
  })
  // The CLI has its own copy of the write end now; this process must not keep the pipe open.
  into.destroy()
  let stdout = ""
  let stderr = ""
  cli.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk
  })
  cli.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk
  })
  return new Promise((resolve, reject) => {
    cli.on("error", reject)
    cli.on("close", (code, signal) => {
      void readerClosed.then(() => resolve({ code, signal, read: Buffer.concat(read), stdout, stderr }))
    })
  })
}
