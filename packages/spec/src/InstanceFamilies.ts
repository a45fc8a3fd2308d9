/**
 * What one node of a compute pool offers, by instance family — the table Snowflake's CREATE COMPUTE
 * POOL page gives and snowflake-ml-python hard-codes (`snowflake/ml/jobs/_utils/constants.py`):
 * CPUs, memory in GiB and GPUs per node. The families every cloud has, then AWS's and Azure's own
 * (GCP's are not in that table). A job's replica must fit one node; a pool runs at most `max_nodes`
 * replicas at once.
 */
export interface NodeResources {
  readonly cpus: number
  readonly memoryGiB: number
  readonly gpus: number
  readonly gpuType?: string
}

export type Cloud = "aws" | "azure"

const node = (cpus: number, memoryGiB: number, gpus = 0, gpuType?: string): NodeResources => ({
  cpus,
  memoryGiB,
  gpus,
  ...(gpuType === undefined ? {} : { gpuType })
})

const COMMON: Readonly<Record<string, NodeResources>> = {
  CPU_X64_XS: node(1, 6),
  CPU_X64_S: node(3, 13),
  CPU_X64_M: node(6, 28),
  CPU_X64_L: node(28, 116),
  HIGHMEM_X64_S: node(6, 58)
}

const BY_CLOUD: Readonly<Record<Cloud, Readonly<Record<string, NodeResources>>>> = {
  aws: {
    HIGHMEM_X64_M: node(28, 240),
    HIGHMEM_X64_L: node(124, 984),
    GPU_NV_S: node(6, 27, 1, "A10G"),
    GPU_NV_M: node(44, 178, 4, "A10G"),
    GPU_NV_L: node(92, 1112, 8, "A100")
  },
  azure: {
    HIGHMEM_X64_M: node(28, 244),
    HIGHMEM_X64_L: node(92, 654),
    GPU_NV_XS: node(3, 26, 1, "T4"),
    GPU_NV_SM: node(32, 424, 1, "A10"),
    GPU_NV_2M: node(68, 858, 2, "A10"),
    GPU_NV_3M: node(44, 424, 2, "A100"),
    GPU_NV_SL: node(92, 858, 4, "A100")
  }
}

/** The families of `cloud`, common ones included. */
export const families = (cloud: Cloud): Readonly<Record<string, NodeResources>> => ({
  ...COMMON,
  ...BY_CLOUD[cloud]
})

/** One node of `family` on `cloud`, or undefined for a family that cloud does not have. */
export const nodeOf = (family: string, cloud: Cloud = "aws"): NodeResources | undefined =>
  families(cloud)[family.toUpperCase()]
