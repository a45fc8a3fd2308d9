/**
 * The CPUs a container may use, from its cgroup's CPU quota: in Snowpark Container Services a replica
 * sees every core of its node, but its container is limited to the job's `cpu` request. Node's own
 * count (`availableParallelism`) follows the CPU affinity, not the quota, so a replica sized by it
 * would start more threads than it may run. cgroup v2 (`cpu.max`: "<quota> <period>" or "max …") and
 * v1 (`cpu/cpu.cfs_quota_us`, `cpu/cpu.cfs_period_us`; -1 is no quota) are read.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8").trim()
  } catch {
    return undefined
  }
}

/** Whole CPUs the quota allows (at least 1), or undefined when there is no quota (or no cgroup). */
export const quotaCpus = (root = "/sys/fs/cgroup"): number | undefined => {
  const fromQuota = (quota: number, period: number) =>
    Number.isFinite(quota) && Number.isFinite(period) && quota > 0 && period > 0
      ? Math.max(1, Math.floor(quota / period))
      : undefined
  const v2 = read(join(root, "cpu.max"))
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/)
    return quota === "max" ? undefined : fromQuota(Number(quota), Number(period))
  }
  const quota = read(join(root, "cpu", "cpu.cfs_quota_us"))
  const period = read(join(root, "cpu", "cpu.cfs_period_us"))
  return quota === undefined || period === undefined ? undefined : fromQuota(Number(quota), Number(period))
}
