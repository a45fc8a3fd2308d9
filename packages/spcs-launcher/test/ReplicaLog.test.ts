import { describe, expect, it } from "@effect/vitest"
import { ReplicaOutput } from "@runbatch/spec"
import { lineSplitter, tailText } from "../src/ReplicaLog.ts"

describe("replica log", () => {
  it("renders lines for a failure's log tail, leaving progress out", () => {
    expect(
      tailText(ReplicaOutput.parse('{"type":"log","level":"info","message":"Starting inference."}'))
    ).toBe("[info] Starting inference.")
    expect(tailText(ReplicaOutput.parse('{"type":"progress","rows":1}'))).toBeUndefined()
    expect(tailText(ReplicaOutput.parse("plain"))).toBe("plain")
    expect(tailText(ReplicaOutput.parse('{"type":"interrupted","signal":"SIGTERM"}'))).toBe(
      "[interrupted] SIGTERM"
    )
  })

  it("splits chunks into lines, whatever the chunk boundaries", () => {
    const lines: Array<string> = []
    const splitter = lineSplitter((line) => lines.push(line))
    for (const chunk of ["a", "b\nc", "\r\n", "\nd"]) splitter.push(chunk)
    expect(lines).toEqual(["ab", "c", ""])
    splitter.end()
    expect(lines).toEqual(["ab", "c", "", "d"])
  })
})
