/**
 * snowflake-sdk, loaded when a Snowflake session is built and never before: it is an optional peer
 * dependency, the local account never needs it, and importing it costs (its platform detection runs
 * at module load — switched off here first, unless the environment says otherwise — and it pulls in
 * cloud SDKs). Its logger is switched off: runbatch reports failures itself, as typed errors.
 */
import { SnowflakeDriverMissing } from "@runbatch/spec"
import { Effect } from "effect"
import type SnowflakeSdk from "snowflake-sdk"

export type Driver = typeof SnowflakeSdk

let loaded: Promise<Driver> | undefined

const load = async (): Promise<Driver> => {
  process.env["SNOWFLAKE_DISABLE_PLATFORM_DETECTION"] ??= "true"
  const module = (await import("snowflake-sdk")) as { default?: Driver } & Driver
  const driver = module.default ?? module
  driver.configure({ logLevel: "OFF" })
  return driver
}

const isMissing = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "code" in error &&
  (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "MODULE_NOT_FOUND") &&
  String((error as unknown as Error).message).includes("snowflake-sdk")

/** The driver module, imported once per process. */
export const loadDriver: Effect.Effect<Driver, SnowflakeDriverMissing> = Effect.tryPromise({
  try: () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined
      throw error
    })
    return loaded
  },
  catch: (error) =>
    new SnowflakeDriverMissing({
      reason: isMissing(error)
        ? "the package snowflake-sdk cannot be found"
        : `importing snowflake-sdk failed: ${error instanceof Error ? error.message : String(error)}`
    })
})
