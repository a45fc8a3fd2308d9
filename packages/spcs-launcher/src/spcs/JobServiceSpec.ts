/**
 * The Snowpark Container Services specification of a job's service: one runtime container per
 * replica, its resources (requests = limits, as the original sets them), the stages it reads and
 * writes mounted as stage volumes (`source: stage` with `stageConfig` — the older `source: "@…"`
 * form is being refused for new jobs), `/dev/shm` as a memory volume, secrets as environment
 * variables, and platform metrics. Only the shape is decided here; the launcher fills it in.
 */
import { Identifier, InvalidSpec, ResourceRequests, StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { stringify } from "yaml"

/** The runtime's one container in every replica. */
export const CONTAINER_NAME = "runtime"

/** What a stage volume mounts: a whole stage (a mount is of a stage, or a folder of one). */
export interface StageMount {
  readonly stage: StageLocation.StageLocation
  readonly mountPath: string
}

/** A Snowflake SECRET given to the container as an environment variable (its `secret_string`). */
export interface SecretVariable {
  readonly secret: string
  readonly envVarName: string
}

export interface JobServiceSpecInput {
  /** The image, as SPCS names it: `/db/schema/repo/runbatch-runtime:0.1.0`. */
  readonly image: string
  /** The replica's entry point inside the image, and its arguments. */
  readonly command: ReadonlyArray<string>
  readonly args?: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  /** As JobSpec takes them: `cpuRequests` "2" / "500m", `memoryRequests` "8Gi", `gpuRequests` "1". */
  readonly resources?: {
    readonly cpu?: string
    readonly memory?: string
    readonly gpu?: string
  }
  readonly stages: ReadonlyArray<StageMount>
  /** The image's non-root user, which owns the files it writes to the stage volumes. */
  readonly user: { readonly uid: number; readonly gid: number }
  readonly secrets?: ReadonlyArray<SecretVariable>
}

/** A service holds at most 20 volumes: one is `/dev/shm`. */
export const MAX_STAGE_VOLUMES = 19

const GIB = 1024 ** 3
const MIB = 1024 ** 2

/** Memory in the notation SPCS writes: whole GiB when it is, else whole MiB (rounded up). */
export const memoryQuantity = (bytes: number): string =>
  bytes % GIB === 0 ? `${bytes / GIB}Gi` : `${Math.ceil(bytes / MIB)}Mi`

/** CPUs as millicores, as the original writes them (`2` → `2000m`). */
export const cpuQuantity = (cpus: number): string => `${Math.round(cpus * 1000)}m`

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const MOUNT_PATH = /^\/(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/

const problem = (path: string, message: string) => ({ path, message })

/** The spec as an object, in SPCS's key order; every input problem at once (InvalidSpec). */
export const make = (input: JobServiceSpecInput) =>
  Effect.gen(function* () {
    const problems: Array<{ path: string; message: string }> = []
    if (input.image.trim() === "") problems.push(problem("image", "name the runtime image."))
    if (input.command.length === 0) problems.push(problem("command", "name the replica's entry point."))
    for (const name of Object.keys(input.env)) {
      if (!ENV_NAME.test(name))
        problems.push(problem(`env.${name}`, "an environment variable's name is letters, digits and _."))
    }
    const cpu =
      input.resources?.cpu === undefined ? undefined : ResourceRequests.parseCpu(input.resources.cpu)
    const memory =
      input.resources?.memory === undefined ? undefined : ResourceRequests.parseMemory(input.resources.memory)
    const gpu =
      input.resources?.gpu === undefined ? undefined : ResourceRequests.parseGpu(input.resources.gpu)
    if (input.resources?.cpu !== undefined && cpu === undefined)
      problems.push(problem("cpu_requests", `"${input.resources.cpu}" is not a CPU quantity.`))
    if (input.resources?.memory !== undefined && memory === undefined)
      problems.push(problem("memory_requests", `"${input.resources.memory}" is not a memory quantity.`))
    if (input.resources?.gpu !== undefined && gpu === undefined)
      problems.push(problem("gpu_requests", `"${input.resources.gpu}" is not a whole number of GPUs.`))
    if (input.stages.length > MAX_STAGE_VOLUMES)
      problems.push(
        problem(
          "stages",
          `the job reads and writes ${input.stages.length} stages; a service mounts at most ${MAX_STAGE_VOLUMES} (and /dev/shm). Copy the files onto fewer stages.`
        )
      )
    const paths = new Set<string>()
    for (const mount of input.stages) {
      if (!MOUNT_PATH.test(mount.mountPath) || mount.mountPath.split("/").includes(".."))
        problems.push(
          problem("stages", `the mount path ${JSON.stringify(mount.mountPath)} is not a plain absolute path.`)
        )
      if (paths.has(mount.mountPath))
        problems.push(problem("stages", `two stages mount at ${mount.mountPath}.`))
      paths.add(mount.mountPath)
    }
    for (const secret of input.secrets ?? []) {
      if (!ENV_NAME.test(secret.envVarName))
        problems.push(
          problem("secrets", `${JSON.stringify(secret.envVarName)} is not an environment variable's name.`)
        )
      const parsed = yield* Effect.result(Identifier.parseQualified(secret.secret))
      if (parsed._tag === "Failure")
        problems.push(
          problem(
            "secrets",
            `${JSON.stringify(secret.secret)} is not a secret's name: ${parsed.failure.reason}`
          )
        )
    }
    if (problems.length > 0) return yield* new InvalidSpec({ spec: "job service specification", problems })

    const quantities: Record<string, string | number> = {}
    if (cpu !== undefined) quantities["cpu"] = cpuQuantity(cpu)
    if (memory !== undefined) quantities["memory"] = memoryQuantity(memory)
    if (gpu !== undefined) quantities["nvidia.com/gpu"] = gpu
    const stageVolumes = input.stages.map((mount, index) => ({ name: `stage-${index}`, mount }))
    // /dev/shm: 30% of the memory limit, as the original sizes it; without a limit, SPCS's default.
    const shm = memory === undefined ? undefined : memoryQuantity(Math.ceil((memory * 0.3) / MIB) * MIB)
    const container: Record<string, unknown> = {
      name: CONTAINER_NAME,
      image: input.image,
      command: [...input.command],
      ...(input.args === undefined || input.args.length === 0 ? {} : { args: [...input.args] }),
      env: { ...input.env },
      ...(Object.keys(quantities).length === 0
        ? {}
        : { resources: { requests: { ...quantities }, limits: { ...quantities } } }),
      volumeMounts: [
        ...(shm === undefined ? [] : [{ name: "dshm", mountPath: "/dev/shm" }]),
        ...stageVolumes.map((v) => ({ name: v.name, mountPath: v.mount.mountPath }))
      ],
      ...(input.secrets === undefined || input.secrets.length === 0
        ? {}
        : {
            secrets: input.secrets.map((s) => ({
              snowflakeSecret: { objectName: s.secret },
              secretKeyRef: "secret_string",
              envVarName: s.envVarName
            }))
          })
    }
    return {
      spec: {
        containers: [container],
        volumes: [
          ...(shm === undefined ? [] : [{ name: "dshm", source: "memory", size: shm }]),
          ...stageVolumes.map((v) => ({
            name: v.name,
            source: "stage",
            stageConfig: { name: StageLocation.format({ ...v.mount.stage, path: "", isDirectory: true }) },
            uid: input.user.uid,
            gid: input.user.gid
          }))
        ],
        platformMonitor: { metricConfig: { groups: ["system", "status"] } }
      }
    }
  })

/**
 * The spec as YAML text: block style, keys in the order built, strings quoted where a YAML 1.1 parser
 * would read them as something else (`yes`, `on`, `0123`, `2026-01-01`): which YAML version SPCS
 * parses is not documented, and an environment value must stay a string under either.
 */
export const toYaml = (spec: unknown): string => stringify(spec, { lineWidth: 0, version: "1.1" })
