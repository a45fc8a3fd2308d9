/**
 * @runbatch/testkit — test support for runbatch and for plugin authors: in-memory host capabilities,
 * the plugin conformance suites, a job stager and a test engine for runtime tests, ONNX models built
 * in JS, and text-line images with the OCR model that reads them. Fake model servers join it with the
 * issues that need them.
 */
export * from "./EncoderConformance.ts"
export * from "./EngineConformance.ts"
export * as JobFixture from "./JobFixture.ts"
export * as MemoryStage from "./MemoryStage.ts"
export * as OnnxModels from "./OnnxModels.ts"
export * as TestEngine from "./TestEngine.ts"
export * as TextLines from "./TextLines.ts"
