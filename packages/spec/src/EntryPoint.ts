/**
 * Where code started in another thread or process lives, and how Node runs it. Threads and processes
 * run plain Node, so they run JavaScript: built code starts the module beside it (`dist/main.js`
 * starts `dist/pipeline-thread.js`) with this process's Node flags. Code running from TypeScript
 * sources — only a test runner does that — starts the package's build of the module instead
 * (`src/X.ts` → `dist/X.js`), without the export conditions that pointed this process at sources, so
 * the new process resolves packages to their builds too. Tests build first (vitest's global setup runs
 * `tsc -b`), so what they start is the code under test; `BuildStamp` in testkit checks it.
 */
import { extname, sep } from "node:path"
import { fileURLToPath } from "node:url"

export interface Entry {
  /** The JavaScript file to run. */
  readonly file: string
  /** Node flags to run it with (before the file). */
  readonly execArgv: ReadonlyArray<string>
}

/** Debugger flags stay with this process: a second one cannot listen on its inspector port. */
const DEBUGGER = /^--(inspect|debug)(-brk|-port|-wait|-publish-uid)?(=|$)/

const isConditions = (arg: string): boolean => arg === "--conditions" || arg === "-C"

/** This process's Node flags for code it starts: the debugger's dropped, and conditions when asked. */
const flags = (argv: ReadonlyArray<string>, dropConditions: boolean): Array<string> => {
  const kept: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (dropConditions && isConditions(arg)) i++
    else if (!(dropConditions && arg.startsWith("--conditions=")) && !DEBUGGER.test(arg)) kept.push(arg)
  }
  return kept
}

/** Module `name` (no extension) beside the module at `moduleUrl`, as Node runs it. */
export const beside = (
  moduleUrl: string,
  name: string,
  argv: ReadonlyArray<string> = process.execArgv
): Entry => {
  const here = fileURLToPath(moduleUrl)
  if (extname(here) !== ".ts") {
    return {
      file: fileURLToPath(new URL(`./${name}${extname(here)}`, moduleUrl)),
      execArgv: flags(argv, false)
    }
  }
  const source = fileURLToPath(new URL(`./${name}.js`, moduleUrl))
  const src = `${sep}src${sep}`
  const at = source.lastIndexOf(src)
  if (at === -1)
    throw new Error(`${here} runs from sources outside a src folder: no build to start for ${name}.`)
  return {
    file: `${source.slice(0, at)}${sep}dist${sep}${source.slice(at + src.length)}`,
    execArgv: flags(argv, true)
  }
}

/** Node's default conditions for `import()`. */
export const NODE_CONDITIONS: ReadonlyArray<string> = ["node", "import", "default"]

/** The export conditions this process resolves packages with: its `--conditions` first, then Node's. */
export const conditions = (argv: ReadonlyArray<string> = process.execArgv): ReadonlyArray<string> => {
  const extra: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (isConditions(arg)) extra.push(argv[++i] ?? "")
    else if (arg.startsWith("--conditions=")) extra.push(arg.slice("--conditions=".length))
  }
  return [...extra.filter((c) => c !== ""), ...NODE_CONDITIONS]
}
