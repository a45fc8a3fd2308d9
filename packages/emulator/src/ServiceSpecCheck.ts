/**
 * A job service's specification as Snowpark Container Services checks it before running anything:
 * the emulator parses the YAML of `EXECUTE JOB SERVICE … FROM SPECIFICATION $$…$$` and refuses, all
 * problems at once, unknown fields, a spec without containers, names SPCS would not take (at most 63
 * characters: lower-case letters, digits and `-`, starting with a letter), a volume mount naming no
 * volume, the older `source: "@stage"` stage volume (SPCS refuses it for new jobs: stage volumes are
 * `source: stage` with `stageConfig`), limits below requests, and requests no node of the compute pool
 * offers. Which fields SPCS accepts follows its specification reference; the wording of its own
 * messages is not known here, so the emulator writes its own.
 */
import { type InstanceFamilies, ResourceRequests } from "@runbatch/spec"
import { parse } from "yaml"

export interface StageVolume {
  readonly name: string
  /** `@DB.SCHEMA.STAGE[/path]` as the spec names it. */
  readonly stage: string
  readonly uid?: number
  readonly gid?: number
}

export interface ContainerSpec {
  readonly name: string
  readonly image: string
  readonly command: ReadonlyArray<string>
  readonly args: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly volumeMounts: ReadonlyArray<{ readonly name: string; readonly mountPath: string }>
  readonly secrets: ReadonlyArray<{ readonly secret: string; readonly envVarName?: string }>
  readonly requests: { readonly cpus?: number; readonly memoryBytes?: number; readonly gpus?: number }
}

export interface CheckedSpec {
  readonly containers: ReadonlyArray<ContainerSpec>
  readonly stageVolumes: ReadonlyArray<StageVolume>
  /** The spec as sent, for DESCRIBE SERVICE. */
  readonly text: string
}

export type SpecCheck =
  | { readonly ok: true; readonly spec: CheckedSpec }
  | { readonly ok: false; readonly problems: ReadonlyArray<string> }

const FIELDS = {
  root: ["spec", "serviceRoles"],
  spec: [
    "containers",
    "endpoints",
    "volumes",
    "logExporters",
    "platformMonitor",
    "resourceManagement",
    "networkPolicyConfig"
  ],
  container: [
    "name",
    "image",
    "command",
    "args",
    "env",
    "readinessProbe",
    "volumeMounts",
    "resources",
    "secrets"
  ],
  resources: ["requests", "limits"],
  quantities: ["memory", "cpu", "nvidia.com/gpu"],
  volumeMount: ["name", "mountPath"],
  volume: ["name", "source", "size", "uid", "gid", "stageConfig", "blockConfig"],
  stageConfig: ["name", "resources", "medium"],
  secret: ["snowflakeSecret", "secretKeyRef", "envVarName", "directoryPath"]
} as const

const NAME = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/
const SOURCES = ["local", "memory", "block", "stage"]

type Node = Record<string, unknown>

const isObject = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const unknownFields = (value: Node, allowed: ReadonlyArray<string>, at: string, problems: Array<string>) => {
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      problems.push(`${at}: unknown field "${key}" (allowed: ${allowed.join(", ")})`)
}

const strings = (value: unknown, at: string, problems: Array<string>): ReadonlyArray<string> => {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    problems.push(`${at}: must be a list of strings`)
    return []
  }
  return value as ReadonlyArray<string>
}

const quantities = (value: unknown, at: string, problems: Array<string>) => {
  if (value === undefined) return {}
  if (!isObject(value)) {
    problems.push(`${at}: must be a mapping of memory, cpu and nvidia.com/gpu`)
    return {}
  }
  unknownFields(value, FIELDS.quantities, at, problems)
  const text = (key: string) => (value[key] === undefined ? undefined : String(value[key]))
  const cpus = text("cpu") === undefined ? undefined : ResourceRequests.parseCpu(text("cpu")!)
  const memoryBytes = text("memory") === undefined ? undefined : ResourceRequests.parseMemory(text("memory")!)
  const gpus =
    text("nvidia.com/gpu") === undefined ? undefined : ResourceRequests.parseGpu(text("nvidia.com/gpu")!)
  if (text("cpu") !== undefined && cpus === undefined)
    problems.push(`${at}.cpu: "${text("cpu")}" is not a CPU quantity`)
  if (text("memory") !== undefined && memoryBytes === undefined)
    problems.push(`${at}.memory: "${text("memory")}" is not a memory quantity`)
  if (text("nvidia.com/gpu") !== undefined && gpus === undefined)
    problems.push(`${at}.nvidia.com/gpu: "${text("nvidia.com/gpu")}" is not a whole number of GPUs`)
  return {
    ...(cpus === undefined ? {} : { cpus }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(gpus === undefined ? {} : { gpus })
  }
}

/** Check `text` as SPCS would for a job in a pool whose nodes are `node`. */
export const check = (text: string, node: InstanceFamilies.NodeResources): SpecCheck => {
  const problems: Array<string> = []
  let document: unknown
  try {
    document = parse(text)
  } catch (error) {
    return { ok: false, problems: [`the specification is not valid YAML: ${(error as Error).message}`] }
  }
  if (!isObject(document) || !isObject(document["spec"]))
    return { ok: false, problems: ["the specification must be a mapping with a `spec` mapping"] }
  unknownFields(document, FIELDS.root, "(top level)", problems)
  const spec = document["spec"]
  unknownFields(spec, FIELDS.spec, "spec", problems)

  const volumeNames = new Set<string>()
  const stageVolumes: Array<StageVolume> = []
  const volumes = spec["volumes"] ?? []
  if (!Array.isArray(volumes)) problems.push("spec.volumes: must be a list")
  else
    for (const [i, volume] of (volumes as ReadonlyArray<unknown>).entries()) {
      const at = `spec.volumes[${i}]`
      if (!isObject(volume)) {
        problems.push(`${at}: must be a mapping`)
        continue
      }
      unknownFields(volume, FIELDS.volume, at, problems)
      const name = volume["name"]
      if (typeof name !== "string" || !NAME.test(name))
        problems.push(
          `${at}.name: "${String(name)}" is not a valid name (lower-case letters, digits and -, at most 63)`
        )
      else if (volumeNames.has(name)) problems.push(`${at}.name: "${name}" is declared twice`)
      else volumeNames.add(name)
      const source = volume["source"]
      if (typeof source === "string" && source.startsWith("@")) {
        problems.push(
          `${at}.source: stage volumes of the form source: "${source}" (v1) are no longer accepted for new jobs; please use v2: source: stage with stageConfig: {name: "${source}"}`
        )
        continue
      }
      if (typeof source !== "string" || !SOURCES.includes(source)) {
        problems.push(`${at}.source: must be one of ${SOURCES.join(", ")}`)
        continue
      }
      if (source === "stage") {
        const config = volume["stageConfig"]
        if (!isObject(config) || typeof config["name"] !== "string" || !config["name"].startsWith("@")) {
          problems.push(`${at}.stageConfig.name: a stage volume names its stage, "@DB.SCHEMA.STAGE[/path]"`)
          continue
        }
        unknownFields(config, FIELDS.stageConfig, `${at}.stageConfig`, problems)
        stageVolumes.push({
          name: String(name),
          stage: config["name"],
          ...(typeof volume["uid"] === "number" ? { uid: volume["uid"] } : {}),
          ...(typeof volume["gid"] === "number" ? { gid: volume["gid"] } : {})
        })
      } else if (volume["stageConfig"] !== undefined)
        problems.push(`${at}.stageConfig: only for source: stage`)
    }

  const containers: Array<ContainerSpec> = []
  const listed = spec["containers"]
  if (!Array.isArray(listed) || listed.length === 0)
    problems.push("spec.containers: at least one container is required")
  else
    for (const [i, container] of (listed as ReadonlyArray<unknown>).entries()) {
      const at = `spec.containers[${i}]`
      if (!isObject(container)) {
        problems.push(`${at}: must be a mapping`)
        continue
      }
      unknownFields(container, FIELDS.container, at, problems)
      const name = container["name"]
      if (typeof name !== "string" || !NAME.test(name))
        problems.push(
          `${at}.name: "${String(name)}" is not a valid name (lower-case letters, digits and -, at most 63)`
        )
      const image = container["image"]
      if (typeof image !== "string" || image.trim() === "") problems.push(`${at}.image: required`)
      const env: Record<string, string> = {}
      const declared = container["env"]
      if (declared !== undefined && !isObject(declared)) problems.push(`${at}.env: must be a mapping`)
      else
        for (const [key, value] of Object.entries(declared ?? {})) {
          if (typeof value !== "string")
            problems.push(`${at}.env.${key}: must be a string (quote it), got ${JSON.stringify(value)}`)
          else env[key] = value
        }
      const mounts: Array<{ name: string; mountPath: string }> = []
      const declaredMounts = container["volumeMounts"] ?? []
      if (!Array.isArray(declaredMounts)) problems.push(`${at}.volumeMounts: must be a list`)
      else
        for (const [j, mount] of (declaredMounts as ReadonlyArray<unknown>).entries()) {
          const where = `${at}.volumeMounts[${j}]`
          if (!isObject(mount)) {
            problems.push(`${where}: must be a mapping`)
            continue
          }
          unknownFields(mount, FIELDS.volumeMount, where, problems)
          const volume = mount["name"]
          const mountPath = mount["mountPath"]
          if (typeof volume !== "string" || !volumeNames.has(volume))
            problems.push(`${where}.name: "${String(volume)}" names no volume of spec.volumes`)
          if (typeof mountPath !== "string" || !mountPath.startsWith("/"))
            problems.push(`${where}.mountPath: must be an absolute path`)
          if (typeof volume === "string" && typeof mountPath === "string")
            mounts.push({ name: volume, mountPath })
        }
      const secrets: Array<{ secret: string; envVarName?: string }> = []
      const declaredSecrets = container["secrets"] ?? []
      if (!Array.isArray(declaredSecrets)) problems.push(`${at}.secrets: must be a list`)
      else
        for (const [j, secret] of (declaredSecrets as ReadonlyArray<unknown>).entries()) {
          const where = `${at}.secrets[${j}]`
          if (!isObject(secret)) {
            problems.push(`${where}: must be a mapping`)
            continue
          }
          unknownFields(secret, FIELDS.secret, where, problems)
          const object = secret["snowflakeSecret"]
          const objectName = isObject(object) ? object["objectName"] : object
          if (typeof objectName !== "string") problems.push(`${where}.snowflakeSecret: names a secret`)
          else
            secrets.push({
              secret: objectName,
              ...(typeof secret["envVarName"] === "string" ? { envVarName: secret["envVarName"] } : {})
            })
        }
      const resources = container["resources"]
      let requests: ContainerSpec["requests"] = {}
      if (resources !== undefined) {
        if (!isObject(resources)) problems.push(`${at}.resources: must be a mapping`)
        else {
          unknownFields(resources, FIELDS.resources, `${at}.resources`, problems)
          requests = quantities(resources["requests"], `${at}.resources.requests`, problems)
          const limits = quantities(resources["limits"], `${at}.resources.limits`, problems)
          for (const key of ["cpus", "memoryBytes", "gpus"] as const) {
            const request = requests[key]
            const limit = limits[key]
            if (request !== undefined && limit !== undefined && limit < request)
              problems.push(
                `${at}.resources: the ${key === "memoryBytes" ? "memory" : key === "cpus" ? "cpu" : "gpu"} limit is below its request`
              )
          }
          const offered = [
            ["cpu", requests.cpus, node.cpus, `${node.cpus} CPU(s)`],
            ["memory", requests.memoryBytes, node.memoryGiB * 1024 ** 3, `${node.memoryGiB} GiB`],
            ["nvidia.com/gpu", requests.gpus, node.gpus, `${node.gpus} GPU(s)`]
          ] as const
          for (const [key, request, available, shown] of offered)
            if (request !== undefined && request > available)
              problems.push(
                `${at}.resources.requests.${key}: more than a node of the compute pool offers (${shown}); choose a larger instance family or request less`
              )
        }
      }
      containers.push({
        name: String(name),
        image: String(image),
        command: strings(container["command"], `${at}.command`, problems),
        args: strings(container["args"], `${at}.args`, problems),
        env,
        volumeMounts: mounts,
        secrets,
        requests
      })
    }
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, spec: { containers, stageVolumes, text } }
}
