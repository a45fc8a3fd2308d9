/**
 * Whether a written plan still is what would be planned now — the question resume asks before it
 * runs a stopped job again. The plan's plugins are loaded by the specifiers it recorded and verified
 * (same packages, versions and files); the model version is looked up again, its files compared by
 * sha256, and the plan's fingerprint recomputed with the version as it is now (its function, signature
 * and files) by the code that planned it (`versionFields`). Returns why the plan no longer holds, or
 * undefined when it does; a plugin that is gone or differs fails as PluginNotFound / IncompatiblePlugin.
 */
import { makePluginHost } from "@runbatch/plugin-host"
import { ModelRegistry, resolveVersionFunction } from "@runbatch/registry-client"
import { Identifier, JobPlan } from "@runbatch/spec"
import { Effect } from "effect"
import { stagedOf, versionFields } from "./PlanOf.ts"

export const changedSincePlanned = Effect.fn("JobPlanner.changedSincePlanned")(function* (
  plan: JobPlan.JobPlan
) {
  const host = yield* makePluginHost({ plugins: JobPlan.pluginSpecifiers(plan) })
  yield* host.verify(plan.plugins)
  const registry = yield* ModelRegistry
  const version = yield* registry.getVersion(
    Identifier.formatQualified({
      database: plan.model.database,
      schema: plan.model.schema,
      name: plan.model.name
    }),
    Identifier.quote(plan.model.version)
  )
  for (const artifact of plan.artifacts) {
    const now = version.artifacts.find((a) => a.name === artifact.name)
    if (now === undefined || now.sha256 !== artifact.sha256) {
      return `the model version's file ${artifact.name} is ${now === undefined ? "gone" : "not the same file"}.`
    }
  }
  const fn = yield* resolveVersionFunction(version, plan.function.name)
  // The plan as it would be written now must hash the same: what runs, and on what.
  if (JobPlan.fingerprint({ ...plan, ...versionFields(version, fn, stagedOf(plan)) }) !== plan.fingerprint) {
    return `the plan's fingerprint no longer matches: the model version's function ${fn.name} or its files changed since the job was planned.`
  }
  return undefined
})
