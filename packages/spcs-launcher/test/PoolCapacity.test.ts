// The cost guard before a job is sent: a replica fits a node of its pool, and the pool can run every
// replica at once — the original's 8 replicas on 8 CPU_X64_M nodes fit, one node fewer does not.
import { describe, expect, it } from "vitest"
import { problems } from "../src/spcs/PoolCapacity.ts"

const pool = (instanceFamily: string, maxNodes: number) => ({ name: "POOL", instanceFamily, maxNodes })

describe("a job against its compute pool", () => {
  it("fits the original's headline run, and several small replicas on one node", () => {
    expect(problems({ replicas: 8, cpu: "5", memory: "24Gi" }, pool("CPU_X64_M", 8))).toEqual([])
    expect(problems({ replicas: 6, cpu: "1", memory: "4Gi" }, pool("CPU_X64_M", 1))).toEqual([])
    expect(problems({ replicas: 2, gpu: "1" }, pool("GPU_NV_S", 2))).toEqual([])
  })

  it("refuses a replica no node can hold, naming what it asks and what a node has", () => {
    expect(problems({ replicas: 1, cpu: "8", memory: "64Gi", gpu: "1" }, pool("CPU_X64_M", 4))).toEqual([
      "a replica asks for 8 CPUs, and a node of POOL (CPU_X64_M) has 6: choose a pool of a larger instance family, or ask for less.",
      "a replica asks for 64.0 GiB of memory, and a node of POOL (CPU_X64_M) has 28 GiB: choose a pool of a larger instance family, or ask for less.",
      "a replica asks for 1 GPUs, and a node of POOL (CPU_X64_M) has 0: choose a pool of a larger instance family, or ask for less."
    ])
  })

  it("refuses more replicas than the pool runs at once, saying how many nodes would", () => {
    expect(problems({ replicas: 8, cpu: "5" }, pool("CPU_X64_M", 7))).toEqual([
      "the job has 8 replicas, and POOL runs at most 7 at once (MAX_NODES = 7, 1 replica(s) per CPU_X64_M node): raise MAX_NODES (ALTER COMPUTE POOL POOL SET MAX_NODES = 8) or run fewer replicas."
    ])
    // Without requests a replica is taken to need a node of its own.
    expect(problems({ replicas: 3 }, pool("CPU_X64_S", 2))).toHaveLength(1)
  })

  it("says when it cannot check a family it does not know", () => {
    expect(problems({ replicas: 1 }, pool("GPU_NV_XS", 1))).toEqual([
      "the compute pool POOL's instance family GPU_NV_XS is not one runbatch knows the size of on AWS; its requests cannot be checked before the job is sent."
    ])
    expect(problems({ replicas: 1, gpu: "1" }, pool("GPU_NV_XS", 1), "azure")).toEqual([])
  })
})
