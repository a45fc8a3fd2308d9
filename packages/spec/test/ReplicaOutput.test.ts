import { describe, expect, it } from "@effect/vitest"
import { ReplicaOutput } from "../src/index.ts"

describe("ReplicaOutput", () => {
  it("reads the runtime's JSON lines and keeps anything else as text", () => {
    expect(
      ReplicaOutput.parse(
        '{"type":"progress","replica":1,"rows":10,"totalRows":0,"shardsDone":1,"shards":4,"rowsPerSecond":5,"errors":2,"metrics":{}}'
      )
    ).toEqual({
      type: "progress",
      progress: {
        rows: 10,
        resumedRows: 0,
        totalRows: 0,
        shardsDone: 1,
        shards: 4,
        rowsPerSecond: 5,
        errors: 2,
        metrics: {}
      }
    })
    expect(ReplicaOutput.parse('{"type":"failed","error":{"tag":"RowFailed","message":"bad row"}}')).toEqual({
      type: "failed",
      tag: "RowFailed",
      message: "bad row"
    })
    expect(ReplicaOutput.parse('{"type":"log","level":"warn","message":"slow"}')).toEqual({
      type: "log",
      level: "warn",
      message: "slow"
    })
    expect(ReplicaOutput.parse('{"type":"done","summary":{}}')).toEqual({ type: "done" })
    expect(ReplicaOutput.parse("Segmentation fault")).toEqual({ type: "text", text: "Segmentation fault" })
    expect(ReplicaOutput.parse("{not json")).toEqual({ type: "text", text: "{not json" })
    expect(ReplicaOutput.parse('{"type":"other"}')).toEqual({ type: "text", text: '{"type":"other"}' })
  })

  it("keeps a progress line's numeric engine metrics and drops the rest", () => {
    const parsed = ReplicaOutput.parse(
      '{"type":"progress","rows":3,"metrics":{"promptTokens":120,"completionTokens":"many","cost":null}}'
    )
    expect(parsed).toEqual({
      type: "progress",
      progress: {
        rows: 3,
        resumedRows: 0,
        totalRows: 0,
        shardsDone: 0,
        shards: 0,
        rowsPerSecond: 0,
        errors: 0,
        metrics: { promptTokens: 120 }
      }
    })
  })

  it("reads back every line the runtime formats", () => {
    const lines: ReadonlyArray<ReplicaOutput.Line> = [
      {
        type: "log",
        replica: 0,
        time: "2026-11-26T00:00:00.000Z",
        level: "info",
        message: "Starting inference."
      },
      {
        type: "progress",
        replica: 1,
        time: "2026-11-26T00:00:01.000Z",
        rows: 5,
        resumedRows: 2,
        totalRows: 9,
        shardsDone: 1,
        shards: 2,
        rowsPerSecond: 5,
        errors: 1,
        metrics: { promptTokens: 7 }
      },
      { type: "done", replica: 0, summary: { rows: 9 }, peakRssBytes: 1024 },
      { type: "failed", replica: 0, error: { tag: "RowFailed", message: "Row 3 failed." } },
      { type: "interrupted", replica: 1, signal: "SIGTERM" }
    ]
    expect(lines.map((line) => ReplicaOutput.parse(ReplicaOutput.format(line)))).toEqual([
      { type: "log", level: "info", message: "Starting inference." },
      {
        type: "progress",
        progress: {
          rows: 5,
          resumedRows: 2,
          totalRows: 9,
          shardsDone: 1,
          shards: 2,
          rowsPerSecond: 5,
          errors: 1,
          metrics: { promptTokens: 7 }
        }
      },
      { type: "done" },
      { type: "failed", tag: "RowFailed", message: "Row 3 failed." },
      { type: "interrupted", signal: "SIGTERM" }
    ])
  })

  it("stamps each line with the protocol's version and reads lines of version 1 with or without it", () => {
    const line = ReplicaOutput.format({ type: "done", replica: 0, summary: {}, peakRssBytes: 1 })
    expect(JSON.parse(line)).toMatchObject({ runbatch: ReplicaOutput.VERSION, type: "done" })
    expect(ReplicaOutput.parse(line)).toEqual({ type: "done" })
    expect(ReplicaOutput.parse('{"runbatch":1,"type":"done"}')).toEqual({ type: "done" })
  })

  it("reads a line of another version of the protocol as a mismatch, whatever its type", () => {
    const text = '{"runbatch":2,"type":"progress","rows":10}'
    expect(ReplicaOutput.parse(text)).toEqual({ type: "mismatch", found: "2", text })
    expect(ReplicaOutput.mismatchMessage(3, "2")).toContain(
      "Replica 3 writes version 2 of runbatch's replica output, and this launcher reads version 1"
    )
  })
})
