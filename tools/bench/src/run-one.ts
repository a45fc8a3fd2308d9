// Usage: node tools/bench/dist/run-one.js <name> [--quick] [--registry module.js]
// Runs one benchmark in this process, so its peak RSS is its own. The harness starts one of these
// per benchmark; run by hand (no IPC channel) it prints the record as a JSON line on stdout.
import { parseArgs } from "node:util"
import type { ChildMessage } from "./child-protocol.ts"
import { loadBenchmarks } from "./load-benchmarks.ts"
import { toRecord } from "./record.ts"

const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) {
      if (message.kind === "record") process.stdout.write(`${JSON.stringify(message.record)}\n`)
      resolve()
    } else {
      process.send(message, undefined, {}, () => resolve())
    }
  })

const main = async (): Promise<void> => {
  const { values, positionals } = parseArgs({
    options: { quick: { type: "boolean", default: false }, registry: { type: "string" } },
    allowPositionals: true,
    strict: true
  })
  const [name] = positionals
  if (name === undefined || positionals.length > 1) {
    throw new Error("usage: run-one.js <name> [--quick] [--registry module.js]")
  }
  const benchmarks = await loadBenchmarks(values.registry)
  const benchmark = benchmarks.find((candidate) => candidate.name === name)
  if (benchmark === undefined) {
    const registered = benchmarks.map((candidate) => candidate.name).join(", ") || "none"
    throw new Error(`no benchmark named ${name} is registered (registered: ${registered})`)
  }
  const result = await benchmark.run({ quick: values.quick })
  // maxRSS is in KiB; it is the peak of this whole process, which runs this benchmark only.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024
  await send({ kind: "record", record: toRecord(benchmark, result, peakRssBytes) })
}

// Exit explicitly: a benchmark may leave a server or timer behind, and must not hang the harness.
main().then(
  () => process.exit(0),
  async (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    await send({ kind: "error", message: error instanceof Error ? error.message : String(error) })
    process.exit(1)
  }
)
