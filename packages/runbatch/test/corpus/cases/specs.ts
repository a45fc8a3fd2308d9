/** InputSpec, OutputSpec, JobSpec and inference engine options that break a rule. */
import type { RunBatchOptions } from "../../../src/RunBatch.ts"
import { type Case, run } from "../Case.ts"

const jobSpec = (spec: Record<string, unknown>): Partial<RunBatchOptions> => ({
  jobSpec: spec as NonNullable<RunBatchOptions["jobSpec"]>
})
const output = "@ML.PUBLIC.CORPUS/spec/"

export const specs: ReadonlyArray<Case> = [
  run(
    "replicas-zero",
    "replicas 0",
    jobSpec({ replicas: 0 }),
    "InvalidSpec",
    "replicas must be a whole number of at least 1, got 0"
  ),
  run("replicas-negative", "replicas -2", jobSpec({ replicas: -2 }), "InvalidSpec", "got -2"),
  run("replicas-fraction", "replicas 1.5", jobSpec({ replicas: 1.5 }), "InvalidSpec", "got 1.5"),
  run("replicas-string", 'replicas "2" (text)', jobSpec({ replicas: "2" }), "InvalidSpec", "replicas"),
  run(
    "num-workers-zero",
    "num_workers 0",
    jobSpec({ numWorkers: 0 }),
    "InvalidSpec",
    "num_workers must be a whole number"
  ),
  run(
    "max-batch-rows-zero",
    "max_batch_rows 0",
    jobSpec({ maxBatchRows: 0 }),
    "InvalidSpec",
    "max_batch_rows"
  ),
  run(
    "max-batch-rows-infinite",
    "max_batch_rows Infinity",
    jobSpec({ maxBatchRows: Infinity }),
    "InvalidSpec",
    "max_batch_rows"
  ),
  run("on-error-unknown", 'on_error "ignore"', jobSpec({ onError: "ignore" }), "InvalidSpec", "onError"),
  run(
    "memory-no-unit",
    'memory_requests "8" (no unit)',
    jobSpec({ memoryRequests: "8" }),
    "InvalidSpec",
    '"8" is not a memory quantity'
  ),
  run(
    "cpu-words",
    'cpu_requests "lots"',
    jobSpec({ cpuRequests: "lots" }),
    "InvalidSpec",
    '"lots" is not a CPU quantity'
  ),
  run(
    "gpu-zero",
    'gpu_requests "0"',
    jobSpec({ gpuRequests: "0" }),
    "InvalidSpec",
    'Invalid gpu_requests: "0"'
  ),
  run(
    "gpu-fraction",
    "gpu_requests 1.5",
    jobSpec({ gpuRequests: 1.5 }),
    "InvalidSpec",
    'Invalid gpu_requests: "1.5"'
  ),
  run("block-text", 'block "yes"', jobSpec({ block: "yes" }), "InvalidSpec", "block"),
  run(
    "warehouse-space",
    "warehouse with a space",
    jobSpec({ warehouse: "my wh" }),
    "InvalidSpec",
    "warehouse"
  ),
  run(
    "image-repo-five-parts",
    "image_repo of four parts",
    jobSpec({ imageRepo: "A.B.C.D" }),
    "InvalidSpec",
    "imageRepo"
  ),
  run(
    "job-name-and-prefix",
    "job_name and job_name_prefix together",
    jobSpec({ jobName: "A", jobNamePrefix: "B" }),
    "InvalidSpec",
    "job_name and job_name_prefix are mutually exclusive"
  ),
  run(
    "job-name-space",
    "job_name with a space",
    jobSpec({ jobName: "nightly run" }),
    "InvalidSpec",
    "jobName"
  ),
  run(
    "job-name-four-parts",
    "job_name of four parts",
    jobSpec({ jobName: "A.B.C.D" }),
    "InvalidSpec",
    "at most three parts"
  ),
  run(
    "job-prefix-digit",
    "job_name_prefix starting with a digit",
    jobSpec({ jobNamePrefix: "1st" }),
    "InvalidSpec",
    "jobNamePrefix"
  ),
  run(
    "job-spec-typo",
    "a misspelt JobSpec field (replica)",
    jobSpec({ replica: 2 }),
    "InvalidSpec",
    "replica: unknown field. Did you mean 'replicas'?"
  ),
  run(
    "output-both-locations",
    "stage_location and base_stage_location together",
    { outputSpec: { stageLocation: output, baseStageLocation: output } },
    "InvalidSpec",
    "stage_location and base_stage_location are mutually exclusive"
  ),
  run(
    "output-no-location",
    "an OutputSpec with no location",
    { outputSpec: {} },
    "InvalidSpec",
    "Either stage_location or base_stage_location must be provided"
  ),
  run(
    "output-mode-append",
    'mode "append"',
    { outputSpec: { stageLocation: output, mode: "append" as never } },
    "InvalidSpec",
    "mode"
  ),
  run(
    "output-spec-typo",
    "a misspelt OutputSpec field (stageLocaton)",
    { outputSpec: { stageLocaton: output } as never },
    "InvalidSpec",
    "stageLocaton: unknown field"
  ),
  run(
    "column-handling-no-convert",
    "column_handling without convert_to",
    { inputSpec: { columnHandling: { X: { inputFormat: "full_stage_path" } as never } } },
    "InvalidSpec",
    "columnHandling.X.convertTo"
  ),
  run(
    "column-handling-empty-convert",
    'column_handling with convert_to ""',
    { inputSpec: { columnHandling: { X: { inputFormat: "full_stage_path", convertTo: " " } } } },
    "InvalidSpec",
    "must not be empty"
  ),
  run(
    "partition-column-empty",
    'partition_column ""',
    { inputSpec: { partitionColumn: "" } },
    "InvalidSpec",
    "partitionColumn"
  ),
  run(
    "params-not-a-record",
    "params given as a list",
    { inputSpec: { params: [1, 2] as never } },
    "InvalidSpec",
    "params"
  ),
  run(
    "engine-args-no-dashes",
    "engine_args_override without the -- prefix",
    { inferenceEngineOptions: { engineArgsOverride: ["max-model-len=4096"] } },
    "InvalidSpec",
    "Maybe you forgot to add '--' prefix?"
  ),
  run(
    "engine-args-blocked",
    "engine_args_override setting --api-key, which runbatch owns",
    { inferenceEngineOptions: { engineArgsOverride: ["--api-key=abc"] } },
    "InvalidSpec",
    "The argument --api-key is set by runbatch"
  ),
  run(
    "engine-options-not-object",
    "engine options given as text",
    { inferenceEngineOptions: { options: "fast" as never } },
    "InvalidSpec",
    "options"
  )
]
