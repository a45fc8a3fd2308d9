/**
 * @runbatch/testkit — test support for runbatch and its first-party plugins: the plugin conformance
 * suites and in-memory host capabilities (from @runbatch/plugin-conformance, which plugin authors
 * install instead), a job stager and a test engine for runtime tests, a direct
 * onnxruntime reference, the sample models and data of @runbatch/samples, fake model servers
 * (OpenAI-compatible and external-function) on 127.0.0.1, checks that a secret stayed secret, and the
 * conformance suites every `Sql`, `StageStore` and `ModelRegistry` backend passes (with a scratch schema per
 * layer on a Snowflake account).
 */

// The conformance suites and in-memory host of @runbatch/plugin-conformance, and the sample models and
// data of @runbatch/samples, re-exported so tests need one import.
export {
  type EncoderConformanceOptions,
  type EngineConformanceOptions,
  EngineRun,
  encoderConformance,
  engineConformance,
  MemoryStage
} from "@runbatch/plugin-conformance"
export { OnnxGraph, OnnxModels, TextLines } from "@runbatch/samples"
export * as BuildStamp from "./BuildStamp.ts"
export * as ChatSignatures from "./ChatSignatures.ts"
export * as FakeExternalFunctionServer from "./FakeExternalFunctionServer.ts"
export * as FakeHttp from "./FakeHttp.ts"
export * as FakeOpenAiServer from "./FakeOpenAiServer.ts"
export * as FakeServerProcess from "./FakeServerProcess.ts"
export * as JobFixture from "./JobFixture.ts"
export * as OnnxReference from "./OnnxReference.ts"
export * from "./PlainRows.ts"
export {
  type RegistryConformanceOptions,
  registryConformance,
  registryFiles
} from "./RegistryConformance.ts"
export * as SecretLeaks from "./SecretLeaks.ts"
export { scratchSchemaLayer, scratchSchemaName } from "./SnowflakeScratchSchema.ts"
export { countingQuery, type SqlConformanceOptions, sqlConformance } from "./SqlConformance.ts"
export {
  CONFORMANCE_STAGES,
  CONFORMANCE_TABLE,
  type StageStoreConformanceOptions,
  stageStoreConformance
} from "./StageStoreConformance.ts"
export * as StoreWithoutLocalPath from "./StoreWithoutLocalPath.ts"
export * as TestEngine from "./TestEngine.ts"
