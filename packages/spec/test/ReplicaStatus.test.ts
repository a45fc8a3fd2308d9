import { describe, expect, it } from "@effect/vitest"
import { ReplicaStatus } from "../src/index.ts"

describe("ReplicaStatus", () => {
  it("reads back what the supervisor writes", () => {
    const status = { replica: 1, state: "exited", code: 3, signal: null } as const
    expect(ReplicaStatus.parse(ReplicaStatus.format(status))).toStrictEqual({
      ok: true,
      value: { version: 1, ...status }
    })
  })

  it("reads a file of version 1 written before files carried a version", () => {
    const read = ReplicaStatus.parse('{"replica":0,"state":"running"}')
    expect(read.ok).toBe(true)
  })

  it("refuses a file that misses a field, naming it", () => {
    expect(ReplicaStatus.parse('{"version":1,"state":"running"}')).toStrictEqual({
      ok: false,
      found: null,
      reason: "replica: missing"
    })
  })

  it("refuses a file of a later version", () => {
    expect(ReplicaStatus.parse('{"version":2,"replica":0,"state":"paused"}')).toStrictEqual({
      ok: false,
      found: "2",
      reason: "it is version 2"
    })
    expect(ReplicaStatus.unreadableMessage("/j/monitor/replica-0.json", "2", "it is version 2")).toContain(
      "is of version 2, and this replica reads version 1"
    )
  })

  it("refuses a file that is not JSON", () => {
    const read = ReplicaStatus.parse('{"replica":0,"sta')
    expect(read.ok).toBe(false)
    if (!read.ok) expect([read.found, read.reason.startsWith("not JSON")]).toStrictEqual([null, true])
  })
})
