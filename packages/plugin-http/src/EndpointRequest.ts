/**
 * One request through an endpoint: each attempt takes one of the endpoint's slots (at most
 * `concurrency` on the wire across every batch), sends, frees the slot, and only then is the reply
 * read — so a slot never waits on parsing, and a request waiting out a backoff holds none. Transient
 * failures are retried on the retry schedule; what is left fails the batch naming the origin.
 */
import type { PluginBatchError } from "@runbatch/spec"
import { Effect, Schedule, type Semaphore } from "effect"
import type { AttemptFailure } from "./AttemptFailure.ts"
import type { BackoffPolicy } from "./Backoff.ts"
import { isPathOnOrigin } from "./EndpointUrl.ts"
import type { HttpReply, HttpRequestSpec, Retry } from "./HttpMessages.ts"
import { replyVerdict, type VerdictContext } from "./ReplyVerdict.ts"
import { type RetryRules, retrySchedule } from "./RetrySchedule.ts"
import type { Wire } from "./Wire.ts"

/** Requests sent (every attempt) and retries, since the endpoint opened. */
export interface Counters {
  requests: number
  retries: number
}

export interface RequestContext extends VerdictContext {
  readonly wire: Wire
  /** The endpoint's `concurrency` slots. */
  readonly slots: Semaphore.Semaphore
  readonly basePath: string
  readonly retries: number
  readonly backoff: BackoffPolicy
  readonly counters: Counters
}

type Failure = AttemptFailure | PluginBatchError

const rules: RetryRules<Failure> = {
  transient: (failure) => failure._tag === "TransientFailure",
  retryAfterOf: (failure) => (failure._tag === "TransientFailure" ? failure.retryAfterMillis : undefined)
}

/**
 * The request `specOf` builds (when an attempt is sent, so bodies of requests still waiting are never
 * held), retried within its budget; `tally` counts its retries too.
 */
export const sendRequest = <A>(
  context: RequestContext,
  specOf: () => HttpRequestSpec,
  interpret: (reply: HttpReply) => A | Retry,
  tally?: { retries: number }
): Effect.Effect<A, PluginBatchError> =>
  Effect.suspend(() => {
    const { origin, fail } = context
    let attempts = 0
    const onWire = Effect.suspend((): Effect.Effect<HttpReply, Failure> => {
      const spec = specOf()
      const path = spec.path ?? context.basePath
      if (!isPathOnOrigin(path))
        return Effect.fail(
          fail(`the request path ${JSON.stringify(path)} is not a path on ${origin}.`, false)
        )
      attempts++
      context.counters.requests++
      return context.wire.send(spec, path)
    })
    const schedule = retrySchedule(context.backoff, context.retries, rules).pipe(
      Schedule.tap(() =>
        Effect.sync(() => {
          context.counters.retries++
          if (tally !== undefined) tally.retries++
        })
      )
    )
    return context.slots
      .withPermits(1)(onWire)
      .pipe(
        Effect.flatMap((reply) => replyVerdict(context, reply, interpret)),
        Effect.retry(schedule),
        Effect.catchTags({
          TransientFailure: (last) =>
            Effect.fail(
              fail(
                `${origin}: ${last.reason}; gave up after ${attempts} attempt(s) (max_retries ${context.retries}).`,
                true,
                last.retryAfterMillis
              )
            ),
          FatalFailure: (fatal) => Effect.fail(fail(`${origin}: ${fatal.reason}`, false))
        })
      )
  })
