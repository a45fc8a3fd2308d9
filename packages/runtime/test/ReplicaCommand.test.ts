import { describe, expect, it } from "@effect/vitest"
import { environment, MMAP_THRESHOLD_BYTES } from "../src/ReplicaCommand.ts"

describe("the replica command's environment", () => {
  it("fixes glibc's mmap threshold unless the launcher's environment sets it", () => {
    expect(environment({})).toEqual({ MALLOC_MMAP_THRESHOLD_: String(MMAP_THRESHOLD_BYTES) })
    expect(environment({ MALLOC_MMAP_THRESHOLD_: "262144" })).toEqual({})
  })
})
