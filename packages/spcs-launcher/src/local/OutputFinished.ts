/**
 * Whether a job's output was finished by the job itself: its `_SUCCESS` marker is there and the
 * `_manifest.json` beside it names the job (and, while the job's plan is still there to compare, the
 * plan's fingerprint). The coordinator writes `_SUCCESS` before it removes the job's working files, so
 * a replica killed between the two, or a supervisor killed after it, leaves a job whose output is
 * complete though its records say it FAILED: it is DONE.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { LocalHome, LocalLayout, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import type { JobRecord } from "../JobFolder.ts"
import { idOf, type LocalContext } from "./LocalContext.ts"

/** The real path of a file `location` names on this account, or undefined when it cannot be found. */
const localFile = (
  context: LocalContext,
  record: JobRecord,
  location: string,
  file: string | undefined
): string | undefined => {
  const names = { database: record.database, schema: record.schema }
  const parsed = Effect.runSyncExit(
    file === undefined ? StageLocation.parse(location, names) : StageLocation.parseDirectory(location, names)
  )
  if (parsed._tag === "Failure") return undefined
  const at = parsed.value
  const path = join(LocalLayout.stageDir(context.home, at), at.path, file ?? "")
  try {
    const placed = LocalHome.locateSync(context.home, path)
    return placed._tag === "Real" ? placed.path : undefined
  } catch {
    return undefined
  }
}

/** A small JSON file's value, or undefined when it is missing or not JSON. */
const readJson = (path: string | undefined): unknown => {
  if (path === undefined) return undefined
  try {
    return JSON.parse(readFileSync(path, "utf8"))
  } catch {
    return undefined
  }
}

const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined

export const outputFinishedBy = (context: LocalContext, record: JobRecord): boolean => {
  if (record.outputLocation === null) return false
  const success = localFile(context, record, record.outputLocation, "_SUCCESS")
  if (success === undefined || !existsSync(success)) return false
  const info = field(
    readJson(localFile(context, record, record.outputLocation, "_manifest.json")),
    "job_info"
  )
  if (field(info, "job") !== idOf(record)) return false
  const plan = readJson(localFile(context, record, record.planLocation, undefined))
  return plan === undefined || field(plan, "fingerprint") === field(info, "plan_fingerprint")
}
