/**
 * How an endpoint fails a batch: a PluginBatchError under the plugin's id, its reason redacted, and —
 * when retryable — the wait it asks of the runtime: the server's, at most the backoff's cap.
 */
import { PluginBatchError } from "@runbatch/spec"
import { type BackoffPolicy, cappedRetryAfter } from "./Backoff.ts"
import type { Redactor } from "./Redaction.ts"

export type BatchFailure = (reason: string, retryable: boolean, retryAfterMillis?: number) => PluginBatchError

export const batchFailure =
  (plugin: string, redactor: Redactor, backoff: BackoffPolicy): BatchFailure =>
  (reason, retryable, retryAfterMillis) => {
    const asked = cappedRetryAfter(backoff, retryAfterMillis)
    return new PluginBatchError({
      plugin,
      reason: redactor.redact(reason),
      retryable,
      ...(asked === undefined ? {} : { retryAfterMillis: asked })
    })
  }
