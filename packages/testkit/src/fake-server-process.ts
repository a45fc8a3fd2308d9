/**
 * Entry of a fake model server run as its own process (FakeServerProcess.spawn), so a benchmark's
 * CPU figures are the client's alone. Started with one argument, the JSON of `{kind, options}`; it
 * reports `{type: "ready", url}` and answers `stats`, `faults` and `close` messages.
 */

import * as FakeExternalFunctionServer from "./FakeExternalFunctionServer.ts"
import type { FakeServer } from "./FakeHttp.ts"
import * as FakeOpenAiServer from "./FakeOpenAiServer.ts"
import type { ParentMessage, ServerSpec } from "./FakeServerProcess.ts"

const spec = JSON.parse(process.argv[2] ?? "{}") as ServerSpec
const server: FakeServer =
  spec.kind === "openai"
    ? await FakeOpenAiServer.start({ ...spec.options, record: false })
    : await FakeExternalFunctionServer.start({ ...spec.options, record: false })
process.send?.({ type: "ready", url: server.url })
process.on("message", (message: ParentMessage) => {
  if (message.type === "stats")
    process.send?.({ type: "stats", stats: server.stats(), cpu: process.cpuUsage() })
  else if (message.type === "faults") server.setFaults(message.faults)
  else if (message.type === "close") void server.close().then(() => process.exit(0))
})
process.on("disconnect", () => process.exit(0))
