/**
 * The files of one job's output folder:
 *
 * ```
 * <output>/part-000000-0.parquet …   results: one part per committed shard (shard, attempt)
 * <output>/_manifest.json           the parts that count, with rows, bytes and sha256
 * <output>/_SUCCESS                 empty, written last
 * <output>/_runbatch/<job>/         the job's private files, removed on success:
 *     plan.json, input/ (the materialised input), commits/<shard>-<attempt>.json (commit records)
 * ```
 *
 * Save-mode checks ignore `_runbatch/`; readers never look inside it. The folder's claims — numbered,
 * write-once files naming the job writing it, kept for good (see SaveMode) — live outside it, at the
 * stage's root, so a finished folder holds only its results:
 *
 * ```
 * @STAGE/_runbatch/claims/<output key>/000000000001.json …
 * ```
 */
import { createHash } from "node:crypto"
import { StageLocation } from "@runbatch/spec"
import { Effect } from "effect"

export const RESERVED = "_runbatch"
export const MANIFEST = "_manifest.json"
export const SUCCESS = "_SUCCESS"

export interface OutputLayout {
  readonly output: StageLocation.StageLocation
  readonly reserved: StageLocation.StageLocation
  readonly claims: StageLocation.StageLocation
  readonly job: StageLocation.StageLocation
  readonly plan: StageLocation.StageLocation
  readonly input: StageLocation.StageLocation
  /** The model version's files, copied for replicas that cannot reach the registry. */
  readonly model: StageLocation.StageLocation
  readonly commits: StageLocation.StageLocation
  readonly manifest: StageLocation.StageLocation
  readonly success: StageLocation.StageLocation
}

/**
 * A job name as one folder name: kept when it is plain, otherwise made plain and suffixed with a
 * short hash so different names never share a folder.
 */
export const jobFolder = (jobName: string): string => {
  const plain = jobName.replace(/[^A-Za-z0-9_$.-]/g, "_").replace(/^\.+/, "_")
  // A qualified name may hold 3 × 255 characters; a folder name, 255 bytes on most filesystems.
  return plain === jobName && plain.length <= MAX_PLAIN
    ? plain
    : `${plain.slice(0, MAX_PLAIN)}-${createHash("sha256").update(jobName).digest("hex").slice(0, 8)}`
}

/** The longest job folder name kept whole: with a hash suffix, names stay well under 255 bytes. */
const MAX_PLAIN = 200

/**
 * The output folder's path as one folder name under the stage's claims: readable, and suffixed with a
 * hash of the exact path so two outputs never share claims (`out/x` and `out_x` included).
 */
export const claimsKey = (outputPath: string): string => {
  const path = outputPath.replace(/\/+$/, "")
  const readable = (path === "" ? "(stage root)" : path)
    .replace(/[^A-Za-z0-9_$.-]/g, "_")
    .replace(/^\.+/, "_")
  return `${readable.slice(0, 100)}-${createHash("sha256").update(path).digest("hex").slice(0, 12)}`
}

const file = (folder: StageLocation.StageLocation, name: string): StageLocation.StageLocation => ({
  ...folder,
  path: folder.path === "" ? name : `${folder.path}/${name}`,
  isDirectory: false
})

const dir = (folder: StageLocation.StageLocation, name: string): StageLocation.StageLocation => ({
  ...file(folder, name),
  isDirectory: true
})

/** The layout of `output` (a folder) for the job `jobName` (e.g. `ML.PUBLIC.JOB_1`). */
export const make = (output: StageLocation.StageLocation, jobName: string): OutputLayout => {
  const folder = StageLocation.asDirectory(output)
  const reserved = dir(folder, RESERVED)
  const job = dir(reserved, jobFolder(jobName))
  const stageRoot = { ...folder, path: "" }
  return {
    output: folder,
    reserved,
    claims: dir(dir(dir(stageRoot, RESERVED), "claims"), claimsKey(folder.path)),
    job,
    plan: file(job, "plan.json"),
    input: dir(job, "input"),
    model: dir(job, "model"),
    commits: dir(job, "commits"),
    manifest: file(folder, MANIFEST),
    success: file(folder, SUCCESS)
  }
}

/** `part-000042-1.parquet`: shard 42, attempt 1 (zero-padded so listings sort by shard). */
export const partName = (shard: number, attempt: number): string =>
  `part-${String(shard).padStart(6, "0")}-${attempt}.parquet`

/** The commit record of one attempt of a shard: `commits/000042-1.json`. */
export const commitRecord = (
  layout: OutputLayout,
  shard: number,
  attempt: number
): StageLocation.StageLocation => file(layout.commits, `${String(shard).padStart(6, "0")}-${attempt}.json`)

/** The shard and attempt a commit record's file name stands for. */
export const parseCommitRecordName = (
  name: string
): { readonly shard: number; readonly attempt: number } | undefined => {
  const match = /(?:^|\/)(\d+)-(\d+)\.json$/.exec(name)
  return match === null ? undefined : { shard: Number(match[1]), attempt: Number(match[2]) }
}

export const part = (layout: OutputLayout, name: string): StageLocation.StageLocation =>
  file(layout.output, name)

/** A listed file's path inside its stage, made relative to the output folder. */
export const relativeToOutput = (layout: OutputLayout, stagePath: string): string =>
  layout.output.path === "" ? stagePath : stagePath.slice(layout.output.path.length + 1)

/**
 * Whether a stage path lies in runbatch's area at the stage's root (`@STAGE/_runbatch/`: the claims
 * of the stage's output folders). Listings of files for people and for jobs leave it out.
 */
export const isStageReserved = (stagePath: string): boolean =>
  stagePath === RESERVED || stagePath.startsWith(`${RESERVED}/`)

/** Whether a path inside the output folder belongs to runbatch's reserved subfolder. */
export const isReserved = (relativePath: string): boolean =>
  relativePath === RESERVED || relativePath.startsWith(`${RESERVED}/`)

/** Parse an output location text into a layout. */
export const parse = (
  location: string,
  jobName: string,
  context: { readonly database: string; readonly schema: string }
) => Effect.map(StageLocation.parseDirectory(location, context), (output) => make(output, jobName))
