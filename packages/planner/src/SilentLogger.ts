import { PluginLogger } from "@runbatch/plugin-api"
import { Effect } from "effect"

/** Plugins stay quiet while a job is checked. */
export const silentLogger = PluginLogger.of({
  debug: () => Effect.void,
  info: () => Effect.void,
  warn: () => Effect.void
})
