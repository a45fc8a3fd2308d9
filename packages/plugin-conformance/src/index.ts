/**
 * @runbatch/plugin-conformance — what a plugin author installs to test a plugin: the conformance
 * suites every encoder and engine runs (`encoderConformance`, `engineConformance`: vitest tests of the
 * contract the runtime relies on), host capabilities in memory (`MemoryStage`) and `EngineRun`, an
 * engine called the way the runtime calls it. Light on purpose: no models, servers or database (those
 * are in runbatch's own, unpublished testkit). See docs/plugins/authoring.md, "Testing a plugin".
 */
export * from "./EncoderConformance.ts"
export * from "./EngineConformance.ts"
export * as EngineRun from "./EngineRun.ts"
export * as MemoryStage from "./MemoryStage.ts"
