/**
 * The errors a plugin fails with, from @runbatch/spec (where every runbatch error is defined and
 * catalogued), re-exported so that a plugin needs one import. Which to use when is in
 * docs/plugins/authoring.md, "Errors":
 *
 * - `PluginBatchError` — the whole batch failed (`encode`, `infer`, `open`). `retryable: true` when a
 *   retry can cure it (a busy server, a timeout; `retryAfterMillis` when the server said how long to
 *   wait): the runtime retries the batch with backoff. Otherwise the job fails with its reason.
 * - `EnginePrepareError` — an engine's `prepare` refuses the job at plan time, before anything is
 *   written or started: say what is wrong (`reason`) and how to fix it (`fix`).
 * - `StageFileError` — what `FileReader` fails with (a missing file, one over the size cap); an
 *   encoder turns it into a row error, naming the path.
 *
 * A failure confined to one row is not an error at all: it is a `RowError` returned beside the
 * results.
 */
export { EnginePrepareError, PluginBatchError, StageFileError } from "@runbatch/spec"
