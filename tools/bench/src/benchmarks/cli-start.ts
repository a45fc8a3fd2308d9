import type { Benchmark } from "../benchmark.ts"

/**
 * How long `runbatch --version` and `runbatch --help` take to start and exit, as a user types them,
 * against bare Node (`node -e ""`): the wall time of each spawn of the built bin, median of 10 runs
 * interleaved bare, version, help, bare, … so load on the machine hits all three alike. One "row" is
 * one spawn, so the ratio is bare ÷ CLI for the slower of the two commands: 0.33 means the CLI takes
 * three times as long as Node doing nothing.
 */
export const cliStart: Benchmark = {
  name: "cli-start",
  reference: 'bare Node, node -e "" (median of 10 spawns, interleaved with the CLI\'s)',
  description: "runbatch --version and runbatch --help spawned from the built bin, median of 10 each",
  run: async () => {
    const { spawnSync } = await import("node:child_process")
    const { fileURLToPath } = await import("node:url")

    const runs = 10
    // The bin users run (bin/runbatch.js loads the build in dist/), found beside the package's entry.
    const bin = fileURLToPath(new URL("../bin/runbatch.js", import.meta.resolve("@runbatch/runbatch")))
    const commands = {
      bare: ["-e", ""],
      version: [bin, "--version"],
      help: [bin, "--help"]
    } as const
    const spawnSeconds = (args: ReadonlyArray<string>): number => {
      const started = performance.now()
      const result = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
      const seconds = (performance.now() - started) / 1000
      if (result.status !== 0) {
        throw new Error(`node ${args.join(" ")} exited with ${result.status}: ${String(result.stderr)}`)
      }
      return seconds
    }
    const median = (values: ReadonlyArray<number>): number => {
      const sorted = [...values].sort((a, b) => a - b)
      const middle = Math.floor(sorted.length / 2)
      return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
    }

    // One untimed spawn of each first, so none pays alone for reading its files from disk.
    for (const args of Object.values(commands)) spawnSeconds(args)
    const times = { bare: [] as Array<number>, version: [] as Array<number>, help: [] as Array<number> }
    for (let round = 0; round < runs; round++) {
      for (const [name, args] of Object.entries(commands)) {
        times[name as keyof typeof commands].push(spawnSeconds(args))
      }
    }
    const bare = median(times.bare)
    const version = median(times.version)
    const help = median(times.help)
    const slower = version >= help ? "version" : "help"
    const ms = (seconds: number) => Math.round(seconds * 10_000) / 10
    return {
      rows: 1,
      seconds: Math.max(version, help),
      referenceRowsPerSecond: 1 / bare,
      extra: {
        bareMs: ms(bare),
        versionMs: ms(version),
        helpMs: ms(help),
        ratioOf: `--${slower}`,
        versionRatio: Math.round((bare / version) * 100) / 100,
        helpRatio: Math.round((bare / help) * 100) / 100,
        runs,
        goal: "ratio >= 0.33 (the CLI within 3x bare Node)"
      }
    }
  }
}
