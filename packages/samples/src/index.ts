/**
 * @runbatch/samples — sample models and data for the demo, tests and benchmarks, never downloaded:
 * ONNX models built in JavaScript (a GBDT shaped like the original's 10-billion-row benchmark, an MLP,
 * a logistic regression, …) and the builder they are made with, and text-line images with the
 * PP-OCRv4 recognition model that reads them, shipped in an npm package.
 */
export * as OnnxGraph from "./OnnxGraph.ts"
export * as OnnxModels from "./OnnxModels.ts"
export * as TextLines from "./TextLines.ts"
