import { describe, expect, it } from "@effect/vitest"
import { lineSplitter, parseLine, tailText } from "../src/ReplicaOutput.ts"

describe("replica output", () => {
  it("reads the runtime's JSON lines and keeps anything else as text", () => {
    expect(
      parseLine(
        '{"type":"progress","replica":1,"rows":10,"totalRows":0,"shardsDone":1,"shards":4,"rowsPerSecond":5,"errors":2,"metrics":{}}'
      )
    ).toEqual({
      type: "progress",
      progress: { rows: 10, totalRows: 0, shardsDone: 1, shards: 4, rowsPerSecond: 5, errors: 2 }
    })
    expect(parseLine('{"type":"failed","error":{"tag":"RowFailed","message":"bad row"}}')).toEqual({
      type: "failed",
      tag: "RowFailed",
      message: "bad row"
    })
    expect(parseLine('{"type":"log","level":"warn","message":"slow"}')).toEqual({
      type: "log",
      level: "warn",
      message: "slow"
    })
    expect(parseLine('{"type":"done","summary":{}}')).toEqual({ type: "done" })
    expect(parseLine("Segmentation fault")).toEqual({ type: "text", text: "Segmentation fault" })
    expect(parseLine("{not json")).toEqual({ type: "text", text: "{not json" })
    expect(parseLine('{"type":"other"}')).toEqual({ type: "text", text: '{"type":"other"}' })
  })

  it("renders lines for a failure's log tail, leaving progress out", () => {
    expect(tailText(parseLine('{"type":"log","level":"info","message":"Starting inference."}'))).toBe(
      "[info] Starting inference."
    )
    expect(tailText(parseLine('{"type":"progress","rows":1}'))).toBeUndefined()
    expect(tailText(parseLine("plain"))).toBe("plain")
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
