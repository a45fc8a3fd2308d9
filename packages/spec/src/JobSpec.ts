/**
 * JobSpec: how the job runs. Field for field the original's (`job_name` xor `job_name_prefix`,
 * `function_name`, `num_workers`, `max_batch_rows`, `warehouse`, `cpu_requests`, `memory_requests` with
 * a unit, `gpu_requests`, `replicas`, `block`, `image_repo`, `force_rebuild`), plus runbatch's
 * `maxBatchBytes`: the bytes of stage files a batch may read through column handling (a batch is cut
 * before its files would pass it, so a batch of large images is bounded in memory as well as in rows);
 * `onError`: `fail` (default: the first bad row fails the job) or `record` (keep one output row per
 * input row and an `_ERROR` column); and `strictNulls` (default false): a NULL feeding a feature the
 * signature declares `nullable: false` fails its row (see `onError`); without it such rows are scored
 * as the original scores them (a NULL reaches the model as its missing value, NaN for numbers).
 * Counts of 0 are refused rather than silently ignored.
 */
import { type Effect, Schema } from "effect"
import type { InvalidSpec } from "./errors/SpecErrors.ts"
import { decodeSpec, type Form, fieldNames } from "./internal/decode.ts"
import {
  CpuText,
  GpuText,
  IdentifierText,
  MemoryText,
  PositiveInt,
  QualifiedNameText
} from "./internal/fields.ts"

export const ON_ERROR = ["fail", "record"] as const
export type OnError = (typeof ON_ERROR)[number]

const fields = {
  jobName: Schema.optionalKey(QualifiedNameText),
  jobNamePrefix: Schema.optionalKey(IdentifierText),
  functionName: Schema.optionalKey(Schema.String.check(Schema.isNonEmpty())),
  numWorkers: Schema.optionalKey(PositiveInt("num_workers")),
  maxBatchRows: Schema.optionalKey(PositiveInt("max_batch_rows")),
  maxBatchBytes: Schema.optionalKey(PositiveInt("max_batch_bytes")),
  warehouse: Schema.optionalKey(IdentifierText),
  cpuRequests: Schema.optionalKey(CpuText),
  memoryRequests: Schema.optionalKey(MemoryText),
  gpuRequests: Schema.optionalKey(GpuText),
  replicas: Schema.optionalKey(PositiveInt("replicas")),
  block: Schema.optionalKey(Schema.Boolean),
  imageRepo: Schema.optionalKey(QualifiedNameText),
  forceRebuild: Schema.optionalKey(Schema.Boolean),
  onError: Schema.optionalKey(Schema.Literals(ON_ERROR)),
  strictNulls: Schema.optionalKey(Schema.Boolean)
}

const nameXorPrefix = Schema.makeFilter(
  (spec: { readonly jobName?: string; readonly jobNamePrefix?: string }) =>
    spec.jobName !== undefined && spec.jobNamePrefix !== undefined
      ? {
          path: ["jobName"],
          issue: "job_name and job_name_prefix are mutually exclusive. Please specify only one or neither."
        }
      : undefined
)

export const JobSpec = Schema.Struct(fields).check(nameXorPrefix)
export type JobSpec = typeof JobSpec.Type
export type JobSpecInput = typeof JobSpec.Encoded

export const knownFields = fieldNames(Schema.Struct(fields))

/** The snake_case form of every JobSpec field, as job files and error paths spell them. */
export const JobSpecWire = Schema.Struct(fields)
  .check(nameXorPrefix)
  .pipe(
    Schema.encodeKeys({
      jobName: "job_name",
      jobNamePrefix: "job_name_prefix",
      functionName: "function_name",
      numWorkers: "num_workers",
      maxBatchRows: "max_batch_rows",
      maxBatchBytes: "max_batch_bytes",
      cpuRequests: "cpu_requests",
      memoryRequests: "memory_requests",
      gpuRequests: "gpu_requests",
      imageRepo: "image_repo",
      forceRebuild: "force_rebuild",
      onError: "on_error",
      strictNulls: "strict_nulls"
    })
  )

export const decode = (input: unknown, form: Form = "ts"): Effect.Effect<JobSpec, InvalidSpec> =>
  decodeSpec(form === "ts" ? JobSpec : JobSpecWire, input ?? {}, { spec: "JobSpec", form, knownFields })

/** Replicas in force: 1 unless asked. */
export const replicasOf = (spec: JobSpec): number => spec.replicas ?? 1

/** How row errors are handled: `fail` unless `record` was asked for. */
export const onErrorOf = (spec: JobSpec): OnError => spec.onError ?? "fail"

/** Whether a NULL in a non-nullable feature fails its row: only when asked (the original scores it). */
export const strictNullsOf = (spec: JobSpec): boolean => spec.strictNulls ?? false
