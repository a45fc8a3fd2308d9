/**
 * @runbatch/spec — the data of runbatch, with no I/O: Snowflake identifiers and stage locations, the
 * job specs and job files, model signatures, type compatibility, params, column matching, shards,
 * the job plan and its fingerprint, and the typed error catalogue.
 */
export * as ColumnMatching from "./ColumnMatching.ts"
export * as DataType from "./DataType.ts"
export * from "./errors/index.ts"
export * as FileLocation from "./FileLocation.ts"
export * as Identifier from "./Identifier.ts"
export * as InferenceEngineOptions from "./InferenceEngineOptions.ts"
export * as InputSpec from "./InputSpec.ts"
export * as JobFile from "./JobFile.ts"
export * as JobName from "./JobName.ts"
export * as JobPlan from "./JobPlan.ts"
export * as JobSpec from "./JobSpec.ts"
export * as LocalLayout from "./LocalLayout.ts"
export * as ModelFileLocation from "./ModelFileLocation.ts"
export * as ModelFunction from "./ModelFunction.ts"
export * as OutputSpec from "./OutputSpec.ts"
export type { Json, ResolvedParams } from "./Params.ts"
export * as Params from "./Params.ts"
export * as ParamValue from "./ParamValue.ts"
export * as ResourceRequests from "./ResourceRequests.ts"
export * as Sharding from "./Sharding.ts"
export * as Signature from "./Signature.ts"
export * as SignatureYaml from "./SignatureYaml.ts"
export * as StageLocation from "./StageLocation.ts"
export * as TypeCompatibility from "./TypeCompatibility.ts"
