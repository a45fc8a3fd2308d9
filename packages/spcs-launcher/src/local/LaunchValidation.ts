/**
 * A launch request checked before anything is written: every problem at once, as InvalidSpec, so a
 * caller from another language (the request is plain data) learns all of what to fix.
 */
import { InvalidSpec } from "@runbatch/spec"
import { Effect } from "effect"
import type { LaunchRequest } from "../JobLauncher.ts"

type Problem = { path: string; message: string }

const wholeAtLeastOne = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 1

const problemsOf = (request: LaunchRequest): Array<Problem> => {
  const problems: Array<Problem> = []
  for (const part of ["database", "schema", "name"] as const) {
    const value = request.job?.[part]
    if (typeof value !== "string" || value === "" || value.includes("\u0000"))
      problems.push({ path: `job.${part}`, message: "must be a non-empty name" })
  }
  if (!wholeAtLeastOne(request.replicas))
    problems.push({
      path: "replicas",
      message: `must be a whole number of at least 1, not ${request.replicas}`
    })
  if (request.cpus !== undefined && !wholeAtLeastOne(request.cpus))
    problems.push({ path: "cpus", message: `must be a whole number of at least 1, not ${request.cpus}` })
  if (typeof request.replicaCommand?.command !== "string" || request.replicaCommand.command === "")
    problems.push({ path: "replicaCommand.command", message: "must name the command to run" })
  if (
    !Array.isArray(request.replicaCommand?.args) ||
    request.replicaCommand.args.some((a) => typeof a !== "string")
  )
    problems.push({ path: "replicaCommand.args", message: "must be a list of strings" })
  if (
    request.totals !== undefined &&
    [request.totals.rows, request.totals.shards].some((n) => !Number.isInteger(n) || n < 0)
  )
    problems.push({ path: "totals", message: "must give rows and shards as whole numbers of at least 0" })
  for (const [key, value] of Object.entries(request.env ?? {}))
    if (typeof value !== "string") problems.push({ path: `env.${key}`, message: "must be a string" })
  return problems
}

/** InvalidSpec listing every problem of `request`, or nothing. */
export const validate = (request: LaunchRequest): Effect.Effect<void, InvalidSpec> => {
  const problems = problemsOf(request)
  return problems.length === 0
    ? Effect.void
    : Effect.fail(new InvalidSpec({ spec: "LaunchRequest", problems }))
}
