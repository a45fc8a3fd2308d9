// The container's CPU quota as cgroup v2 and v1 write it, read from a folder laid out as
// /sys/fs/cgroup is: a quota of 2.5 CPUs gives 2 threads, none (or no cgroup) gives no cap.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { quotaCpus } from "../src/ContainerCpus.ts"

const cgroup = (files: Readonly<Record<string, string>>): string => {
  const root = mkdtempSync(join(tmpdir(), "runbatch-cgroup-"))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

describe("the container's CPU quota", () => {
  it("reads cgroup v2's cpu.max", () => {
    expect(quotaCpus(cgroup({ "cpu.max": "200000 100000\n" }))).toBe(2)
    expect(quotaCpus(cgroup({ "cpu.max": "250000 100000\n" }))).toBe(2)
    expect(quotaCpus(cgroup({ "cpu.max": "50000 100000\n" }))).toBe(1)
    expect(quotaCpus(cgroup({ "cpu.max": "max 100000\n" }))).toBeUndefined()
  })

  it("reads cgroup v1's quota and period, -1 being none", () => {
    expect(
      quotaCpus(cgroup({ "cpu/cpu.cfs_quota_us": "400000\n", "cpu/cpu.cfs_period_us": "100000\n" }))
    ).toBe(4)
    expect(
      quotaCpus(cgroup({ "cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n" }))
    ).toBeUndefined()
  })

  it("gives no cap without a cgroup, or with one it cannot read", () => {
    expect(quotaCpus(cgroup({}))).toBeUndefined()
    expect(quotaCpus(cgroup({ "cpu.max": "lots\n" }))).toBeUndefined()
    expect(quotaCpus(join(tmpdir(), "no-such-cgroup-root"))).toBeUndefined()
  })
})
