/**
 * The emulator's compute pools: account-level objects kept in `<home>/emulator/compute-pools.json`,
 * enough for a launcher's checks (does the pool exist, which instance family, how many nodes) and for
 * the emulator to refuse a job whose replica no node of its pool could hold. No nodes run: a job
 * service's replicas are local processes.
 */
import { join } from "node:path"
import { InstanceFamilies } from "@runbatch/spec"
import { emulatorFolder, readJson, writeJson } from "./EmulatorFiles.ts"

export interface ComputePool {
  readonly name: string
  readonly instanceFamily: string
  readonly minNodes: number
  readonly maxNodes: number
  readonly autoResume: boolean
  readonly autoSuspendSecs: number
  readonly comment: string
  /** ISO time. */
  readonly createdOn: string
}

type Pools = Record<string, ComputePool>

const poolsFile = (home: string) => join(emulatorFolder(home), "compute-pools.json")

export const list = async (home: string): Promise<ReadonlyArray<ComputePool>> =>
  Object.values(await readJson<Pools>(poolsFile(home), {})).sort((a, b) => a.name.localeCompare(b.name))

export const find = async (home: string, name: string): Promise<ComputePool | undefined> =>
  (await readJson<Pools>(poolsFile(home), {}))[name]

export const save = async (home: string, pool: ComputePool): Promise<void> => {
  const pools = await readJson<Pools>(poolsFile(home), {})
  pools[pool.name] = pool
  await writeJson(poolsFile(home), pools, 0o644)
}

/** Whether the pool was there to drop. */
export const drop = async (home: string, name: string): Promise<boolean> => {
  const pools = await readJson<Pools>(poolsFile(home), {})
  if (pools[name] === undefined) return false
  delete pools[name]
  await writeJson(poolsFile(home), pools, 0o644)
  return true
}

/** One node of the pool, as the emulator's cloud (AWS's table) offers it. */
export const nodeOf = (pool: ComputePool): InstanceFamilies.NodeResources | undefined =>
  InstanceFamilies.nodeOf(pool.instanceFamily, "aws")
