/**
 * @runbatch/testkit — test support for runbatch and for plugin authors. Today: in-memory host
 * capabilities for plugin tests. The plugin conformance suites, ONNX model builders and fake model
 * servers join it with the issues that need them.
 */
export * from "./EncoderConformance.ts"
export * from "./EngineConformance.ts"
export * as JobFixture from "./JobFixture.ts"
export * as MemoryStage from "./MemoryStage.ts"
export * as OnnxModels from "./OnnxModels.ts"
export * as TestEngine from "./TestEngine.ts"
