/**
 * Whether a job fits its compute pool, checked before it is sent (a cost guard): each replica must fit
 * one node of the pool's instance family, and the pool must be able to run every replica at once —
 * a job of more replicas than `MAX_NODES` × replicas-per-node would wait for nodes that never come
 * (SPCS starts a job's replicas together). Requests come as JobSpec writes them (`2`, `8Gi`, `1`).
 */
import { InstanceFamilies, ResourceRequests } from "@runbatch/spec"

export interface PoolShape {
  readonly name: string
  readonly instanceFamily: string
  readonly maxNodes: number
}

export interface JobShape {
  readonly replicas: number
  readonly cpu?: string
  readonly memory?: string
  readonly gpu?: string
}

const GIB = 1024 ** 3

/** Why the job does not fit the pool, one line each; empty when it fits. */
export const problems = (
  job: JobShape,
  pool: PoolShape,
  cloud: InstanceFamilies.Cloud = "aws"
): ReadonlyArray<string> => {
  const node = InstanceFamilies.nodeOf(pool.instanceFamily, cloud)
  if (node === undefined)
    return [
      `the compute pool ${pool.name}'s instance family ${pool.instanceFamily} is not one runbatch knows the size of on ${cloud.toUpperCase()}; its requests cannot be checked before the job is sent.`
    ]
  const cpus = job.cpu === undefined ? undefined : ResourceRequests.parseCpu(job.cpu)
  const memory = job.memory === undefined ? undefined : ResourceRequests.parseMemory(job.memory)
  const gpus = job.gpu === undefined ? undefined : ResourceRequests.parseGpu(job.gpu)
  const found: Array<string> = []
  const tooBig = (what: string, asked: string, offered: string) =>
    found.push(
      `a replica asks for ${asked} ${what}, and a node of ${pool.name} (${pool.instanceFamily}) has ${offered}: choose a pool of a larger instance family, or ask for less.`
    )
  if (cpus !== undefined && cpus > node.cpus) tooBig("CPUs", String(cpus), String(node.cpus))
  if (memory !== undefined && memory > node.memoryGiB * GIB)
    tooBig("of memory", `${(memory / GIB).toFixed(1)} GiB`, `${node.memoryGiB} GiB`)
  if (gpus !== undefined && gpus > node.gpus) tooBig("GPUs", String(gpus), String(node.gpus))
  if (found.length > 0) return found
  // How many replicas one node holds, by the scarcest resource asked for (one, when nothing is).
  const perNode = Math.max(
    1,
    Math.min(
      cpus === undefined ? Number.POSITIVE_INFINITY : Math.floor(node.cpus / cpus),
      memory === undefined ? Number.POSITIVE_INFINITY : Math.floor((node.memoryGiB * GIB) / memory),
      gpus === undefined ? Number.POSITIVE_INFINITY : Math.floor(node.gpus / gpus),
      cpus === undefined && memory === undefined && gpus === undefined ? 1 : Number.POSITIVE_INFINITY
    )
  )
  const capacity = pool.maxNodes * perNode
  if (job.replicas > capacity)
    found.push(
      `the job has ${job.replicas} replicas, and ${pool.name} runs at most ${capacity} at once (MAX_NODES = ${pool.maxNodes}, ${perNode} replica(s) per ${pool.instanceFamily} node): raise MAX_NODES (ALTER COMPUTE POOL ${pool.name} SET MAX_NODES = ${Math.ceil(job.replicas / perNode)}) or run fewer replicas.`
    )
  return found
}
