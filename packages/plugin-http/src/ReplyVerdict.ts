/**
 * What a reply means: a redirect fails the batch (requests go only to the configured origin), a
 * transient status (408, 429, 500, 502, 503, 504) is tried again after the server's Retry-After, and
 * every other reply is the engine's to read (`interpret`), which may ask for a retry (`Retry`) or fail
 * the batch (throwing a PluginBatchError).
 */
import { PluginBatchError } from "@runbatch/spec"
import { Effect } from "effect"
import { TransientFailure } from "./AttemptFailure.ts"
import type { BatchFailure } from "./BatchFailure.ts"
import { type HttpReply, Retry } from "./HttpMessages.ts"
import type { Redactor } from "./Redaction.ts"
import { retryAfterMillis } from "./RetryAfter.ts"

/** Statuses that say "try again later". */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

export interface VerdictContext {
  readonly origin: string
  readonly redactor: Redactor
  readonly fail: BatchFailure
}

export const replyVerdict = <A>(
  context: VerdictContext,
  reply: HttpReply,
  interpret: (reply: HttpReply) => A | Retry
): Effect.Effect<A, TransientFailure | PluginBatchError> => {
  if (reply.status >= 300 && reply.status < 400) {
    return Effect.fail(
      context.fail(
        `the server at ${context.origin} answered ${reply.status} (a redirect). runbatch sends requests only to the configured URL and never follows redirects; configure the final address.`,
        false
      )
    )
  }
  if (TRANSIENT_STATUSES.has(reply.status)) {
    const text = context.redactor.snippet(reply.body)
    return Effect.fail(
      new TransientFailure({
        reason: `the server answered ${reply.status}${text === "" ? "" : `: ${text}`}`,
        retryAfterMillis: retryAfterMillis(reply.headers["retry-after"])
      })
    )
  }
  try {
    const verdict = interpret(reply)
    return verdict instanceof Retry
      ? Effect.fail(
          new TransientFailure({ reason: verdict.reason, retryAfterMillis: verdict.retryAfterMillis })
        )
      : Effect.succeed(verdict)
  } catch (error) {
    return Effect.fail(
      error instanceof PluginBatchError
        ? context.fail(error.reason, error.retryable, error.retryAfterMillis)
        : context.fail(`reading the server's reply failed: ${String(error)}`, false)
    )
  }
}
