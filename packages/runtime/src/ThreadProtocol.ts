/**
 * The messages between a replica's thread and its pipeline threads (PipelineThreads, pipeline-thread),
 * defined once, as Schemas. Each message carries the protocol's version and each side decodes what it
 * receives: a thread that runs another build of runbatch, a damaged message or one of an unknown kind
 * fails the replica with ThreadMessageInvalid, saying which, instead of being misread.
 */
import { ThreadMessageInvalid } from "@runbatch/spec"
import { Result, Schema } from "effect"

/** Raised whenever a message changes shape, so two builds that differ are told apart. */
export const VERSION = 1

const Shard = Schema.Struct({
  index: Schema.Number,
  file: Schema.String,
  rowGroupStart: Schema.Number,
  rowGroupEnd: Schema.Number,
  rows: Schema.Number
})

/** A Progress call made in a pipeline thread (Progress.layerRelay), relayed to the replica's Progress. */
const ProgressEvent = Schema.Union([
  Schema.Struct({
    type: Schema.Literal("log"),
    level: Schema.Literals(["info", "warn", "error"]),
    message: Schema.String
  }),
  Schema.Struct({
    type: Schema.Literal("rows"),
    count: Schema.Number,
    errors: Schema.Number,
    metrics: Schema.optionalKey(Schema.Record(Schema.String, Schema.Number))
  }),
  Schema.Struct({ type: Schema.Literal("shard") }),
  Schema.Struct({
    type: Schema.Literal("resumed"),
    rows: Schema.Number,
    shards: Schema.Number,
    errors: Schema.Number
  })
])

/** A typed error as ErrorWire carries it. */
const WireError = Schema.Struct({
  tag: Schema.String,
  message: Schema.String,
  fields: Schema.Record(Schema.String, Schema.Unknown)
})

/** Thread → replica. */
export const ThreadMessage = Schema.Union([
  /** A lane asks for a shard, saying which one it has just finished. */
  Schema.Struct({ type: Schema.Literal("next"), finished: Schema.optionalKey(Schema.Number) }),
  Schema.Struct({ type: Schema.Literal("progress"), event: ProgressEvent }),
  /** `module`: the file URL the thread ran, so a replica can say which code its threads ran. */
  Schema.Struct({
    type: Schema.Literal("done"),
    result: Schema.Struct({ rows: Schema.Number, errors: Schema.Number }),
    module: Schema.String
  }),
  Schema.Struct({ type: Schema.Literal("failed"), error: WireError })
])
export type ThreadMessage = typeof ThreadMessage.Type

/** Replica → thread: the next shard (null when there are none left), or stop now. */
export const ReplicaMessage = Schema.Union([
  Schema.Struct({ type: Schema.Literal("shard"), shard: Schema.NullOr(Shard) }),
  Schema.Struct({ type: Schema.Literal("stop") })
])
export type ReplicaMessage = typeof ReplicaMessage.Type

const threadKinds: ReadonlyArray<ThreadMessage["type"]> = ["next", "progress", "done", "failed"]
const replicaKinds: ReadonlyArray<ReplicaMessage["type"]> = ["shard", "stop"]

/** A message as it is posted: stamped with this build's protocol version. */
export const envelope = <M extends ThreadMessage | ReplicaMessage>(message: M) => ({
  version: VERSION,
  ...message
})

/** Which replica and worker a message went between, to name them in an error. */
export interface Between {
  readonly replica: number
  readonly worker: number
}

const decoder =
  <M extends { readonly type: string }>(
    schema: Schema.Codec<M, unknown>,
    kinds: ReadonlyArray<M["type"]>,
    sender: "replica" | "thread"
  ) =>
  (raw: unknown, between: Between): Result.Result<M, ThreadMessageInvalid> => {
    const invalid = (reason: string) => Result.fail(new ThreadMessageInvalid({ ...between, sender, reason }))
    if (typeof raw !== "object" || raw === null) return invalid(`it is not an object (${String(raw)}).`)
    const { version, type } = raw as { readonly version?: unknown; readonly type?: unknown }
    if (version !== VERSION) {
      return invalid(
        `it was sent with thread protocol ${typeof version === "number" ? `version ${version}` : "of no version"} and this side speaks version ${VERSION}: the replica and its threads ran different builds of runbatch.`
      )
    }
    if (!kinds.includes(type as M["type"])) {
      return invalid(`its kind ${JSON.stringify(type) ?? "undefined"} is not one of ${kinds.join(", ")}.`)
    }
    const decoded = Schema.decodeUnknownResult(schema)(raw)
    return Result.isSuccess(decoded)
      ? Result.succeed(decoded.success)
      : invalid(`a "${String(type)}" message does not fit its kind: ${decoded.failure.message}`)
  }

/** Decode what a pipeline thread posted to the replica's thread. */
export const decodeThreadMessage = decoder(ThreadMessage, threadKinds, "thread")

/** Decode what the replica's thread posted to a pipeline thread. */
export const decodeReplicaMessage = decoder(ReplicaMessage, replicaKinds, "replica")
