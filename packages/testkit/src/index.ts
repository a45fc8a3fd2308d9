/**
 * @runbatch/testkit — test support for runbatch and for plugin authors: in-memory host capabilities,
 * the plugin conformance suites, a job stager and a test engine for runtime tests, a direct
 * onnxruntime reference, and the sample models and data of @runbatch/samples. Fake model servers join
 * it with the issues that need them.
 */

// Sample models and data, re-exported so tests need one import.
export { OnnxModels, TextLines } from "@runbatch/samples"
export * from "./EncoderConformance.ts"
export * from "./EngineConformance.ts"
export * as JobFixture from "./JobFixture.ts"
export * as MemoryStage from "./MemoryStage.ts"
export * as OnnxReference from "./OnnxReference.ts"
export * as TestEngine from "./TestEngine.ts"
