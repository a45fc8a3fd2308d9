/**
 * Logging for plugins: lines go to the replica's log with the plugin's id attached, so users see them
 * with `runbatch jobs logs`. Keep them for what a user can act on; the runtime already reports progress.
 */
import { Context, type Effect } from "effect"

export type LogFields = Readonly<Record<string, string | number | boolean | null>>

export interface PluginLoggerShape {
  readonly debug: (message: string, fields?: LogFields) => Effect.Effect<void>
  readonly info: (message: string, fields?: LogFields) => Effect.Effect<void>
  readonly warn: (message: string, fields?: LogFields) => Effect.Effect<void>
}

export class PluginLogger extends Context.Service<PluginLogger, PluginLoggerShape>()(
  "@runbatch/plugin-api/PluginLogger"
) {}
