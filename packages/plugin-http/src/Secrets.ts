/**
 * Secrets from the environment where a job runs: API keys and header values are named in options by
 * environment variable (options are stored in the model version and the plan) and read in `open`.
 */
import { PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import { rememberSecret } from "./Redaction.ts"

/**
 * A secret from the replica's environment, failing `open` (never printing the value) when unset. The
 * value is remembered (`rememberSecret`): every redactor of the thread redacts it from then on.
 */
export const secretFromEnvironment = (
  plugin: string,
  option: string,
  variable: string
): Effect.Effect<string, PluginBatchError> =>
  Effect.suspend(() => {
    const value = process.env[variable]
    return value === undefined || value === ""
      ? Effect.fail(
          new PluginBatchError({
            plugin,
            reason: `the environment variable ${variable} (named by ${option}) is not set where the job runs. Set it in the environment of the runbatch process (locally) or as a service secret (Snowpark Container Services).`,
            retryable: false
          })
        )
      : Effect.sync(() => {
          rememberSecret(value)
          return value
        })
  })
