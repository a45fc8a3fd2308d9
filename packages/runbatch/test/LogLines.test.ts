import { describe, expect, it } from "@effect/vitest"
import * as LogLines from "../src/cli/LogLines.ts"

const show = (line: string) => LogLines.readable(LogLines.record(line))

describe("jobs logs lines", () => {
  it("prints a protocol log line as TIME LEVEL message", () => {
    expect(
      show('{"type":"log","replica":0,"time":"2026-12-07T06:13:48.979Z","level":"warn","message":"slow"}')
    ).toBe("2026-12-07T06:13:48.979Z WARN  slow")
  })

  it("prints a progress line as a sentence", () => {
    expect(
      show(
        '{"type":"progress","replica":1,"time":"T","rows":750,"totalRows":0,"shardsDone":2,"shards":0,"rowsPerSecond":86,"errors":3,"metrics":{}}'
      )
    ).toBe("T INFO  progress: 750 row(s), 2 shard(s) done, 86 rows/s, 3 error(s)")
  })

  it("prints a replica's failure with its tag, and a line that is not JSON as it is", () => {
    expect(show('{"type":"failed","replica":1,"error":{"tag":"RowFailed","message":"row 3 failed"}}')).toBe(
      "ERROR RowFailed: row 3 failed"
    )
    expect(show("Error: boom")).toBe("Error: boom")
    expect(LogLines.record("Error: boom")).toEqual({ type: "text", message: "Error: boom" })
    expect(show("[1, 2]")).toBe("[1, 2]")
  })
})
