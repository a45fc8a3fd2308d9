/**
 * The thread protocol's decoding: good messages of each kind come through as they were posted; a
 * message of another protocol version, a malformed one and one of an unknown kind are each a
 * ThreadMessageInvalid that says which.
 */
import { assert, describe, expect, it } from "@effect/vitest"
import { ErrorWire, RowFailed, ThreadMessageInvalid } from "@runbatch/spec"
import { Result } from "effect"
import {
  decodeReplicaMessage,
  decodeThreadMessage,
  envelope,
  type ReplicaMessage,
  type ThreadMessage,
  VERSION
} from "../src/ThreadProtocol.ts"

const between = { replica: 1, worker: 2 }

const failureOf = <A, E>(result: Result.Result<A, E>): E => {
  if (Result.isSuccess(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.success)}`)
  return result.failure
}

describe("the thread protocol", () => {
  it("decodes every kind of message a thread posts, as it was posted", () => {
    const messages: ReadonlyArray<ThreadMessage> = [
      { type: "next" },
      { type: "next", finished: 3 },
      { type: "progress", event: { type: "log", level: "warn", message: "retrying" } },
      { type: "progress", event: { type: "rows", count: 4096, errors: 1, metrics: { tokens: 7 } } },
      { type: "progress", event: { type: "shard" } },
      { type: "done", result: { rows: 10, errors: 0 }, module: "file:///runtime/dist/pipeline-thread.js" },
      {
        type: "failed",
        error: ErrorWire.toWire(new RowFailed({ shard: 1, file: "a.parquet", row: 2, reason: "bad." }))
      }
    ]
    for (const message of messages) {
      // Through structured clone, as postMessage sends it.
      const decoded = decodeThreadMessage(structuredClone(envelope(message)), between)
      assert.isTrue(Result.isSuccess(decoded), JSON.stringify(message))
      if (Result.isSuccess(decoded)) expect(decoded.success).toEqual(message)
    }
  })

  it("decodes every kind of message the replica posts", () => {
    const shard = { index: 0, file: "a.parquet", rowGroupStart: 0, rowGroupEnd: 2, rows: 100 }
    const messages: ReadonlyArray<ReplicaMessage> = [
      { type: "shard", shard },
      { type: "shard", shard: null },
      { type: "stop" }
    ]
    for (const message of messages) {
      const decoded = decodeReplicaMessage(structuredClone(envelope(message)), between)
      assert.isTrue(Result.isSuccess(decoded))
      if (Result.isSuccess(decoded)) expect(decoded.success).toEqual(message)
    }
  })

  it("names a version skew: another protocol version, or none", () => {
    const skewed = failureOf(decodeThreadMessage({ version: VERSION + 1, type: "next" }, between))
    expect(skewed._tag).toBe("ThreadMessageInvalid")
    expect(skewed).toMatchObject({ replica: 1, worker: 2, sender: "thread" })
    expect(skewed.message).toContain(`version ${VERSION + 1} and this side speaks version ${VERSION}`)
    expect(skewed.message).toContain("different builds of runbatch")
    // A build from before the protocol had versions.
    const unversioned = failureOf(decodeReplicaMessage({ type: "stop" }, between))
    expect(unversioned).toMatchObject({ sender: "replica" })
    expect(unversioned.message).toContain("thread protocol of no version")
    expect(unversioned.message).toMatch(/^A message from replica 1 to worker 2's thread could not be read/)
  })

  it("refuses a malformed message, saying what does not fit", () => {
    for (const raw of [null, 42, "next"]) {
      expect(failureOf(decodeThreadMessage(raw, between)).message).toContain("it is not an object")
    }
    const badShard = failureOf(
      decodeReplicaMessage({ version: VERSION, type: "shard", shard: { index: "0" } }, between)
    )
    expect(badShard.message).toContain('a "shard" message does not fit its kind')
    const badResult = failureOf(
      decodeThreadMessage({ version: VERSION, type: "done", result: { rows: 1 }, module: "m" }, between)
    )
    expect(badResult.message).toContain('a "done" message does not fit its kind')
    expect(badResult.message).toContain("errors")
  })

  it("refuses a message of an unknown kind, naming the kinds it knows", () => {
    const unknown = failureOf(decodeThreadMessage({ version: VERSION, type: "heartbeat" }, between))
    expect(unknown.message).toContain('its kind "heartbeat" is not one of next, progress, done, failed')
    const none = failureOf(decodeReplicaMessage({ version: VERSION }, between))
    expect(none.message).toContain("its kind undefined is not one of shard, stop")
  })

  it("travels back as the same class across ErrorWire", () => {
    const error = failureOf(decodeThreadMessage({ version: VERSION, type: "x" }, between))
    const back = ErrorWire.fromWire(ErrorWire.toWire(error), between)
    expect(back).toBeInstanceOf(ThreadMessageInvalid)
    expect(back.message).toBe(error.message)
  })
})
