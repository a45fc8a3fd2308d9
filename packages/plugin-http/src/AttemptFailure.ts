/**
 * How one attempt of a request failed, inside the endpoint only (they never leave it: the endpoint turns
 * them into a PluginBatchError naming its origin): worth trying again, or not.
 */
import { Data } from "effect"

/** Try again (after the server's Retry-After, if it gave one): a busy server, a reset, a timeout. */
export class TransientFailure extends Data.TaggedError("TransientFailure")<{
  readonly reason: string
  readonly retryAfterMillis?: number | undefined
}> {}

/** Retrying cannot mend it: an unresolvable host, an untrusted certificate, a reply too large. */
export class FatalFailure extends Data.TaggedError("FatalFailure")<{
  readonly reason: string
}> {}

export type AttemptFailure = TransientFailure | FatalFailure
