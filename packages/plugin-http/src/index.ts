/**
 * @runbatch/plugin-http — for runbatch plugins that talk HTTP: `httpEndpoint` (one origin, bounded
 * concurrency, retries on a Schedule, no redirects, certificates always checked, secrets redacted), the
 * options every HTTP engine takes, JSON to and from Arrow columns by the model signature, and media
 * types for data URLs. A plugin opts in by peer-depending on it beside `@runbatch/plugin-api`. See
 * docs/plugins/authoring.md, "Engines that call a server".
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export { type BackoffPolicy, backoffMillis, MAX_TIMER_MILLIS } from "./Backoff.ts"
export { endpointUrlProblem } from "./EndpointUrl.ts"
export * from "./EngineOptions.ts"
export * from "./HeaderNames.ts"
export * from "./HttpEndpoint.ts"
export * from "./HttpMessages.ts"
export * from "./JsonColumns.ts"
export * from "./JsonWriter.ts"
export * as MediaType from "./MediaType.ts"
export * from "./Redaction.ts"
export { TRANSIENT_STATUSES } from "./ReplyVerdict.ts"
export * from "./RetryAfter.ts"
export * from "./Secrets.ts"
