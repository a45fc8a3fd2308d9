// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export { type LocalStageStoreOptions, MAX_READ_BYTES } from "./LocalStageStore.ts"
export * as OutputCommitter from "./OutputCommitter.ts"
export * as OutputLayout from "./OutputLayout.ts"
export * as OutputManifest from "./OutputManifest.ts"
export * as ParquetCodec from "./ParquetCodec.ts"
export * as ParquetFileReader from "./ParquetFileReader.ts"
export * as ResultsReader from "./ResultsReader.ts"
export * as SaveMode from "./SaveMode.ts"
export * as StageFileReader from "./StageFileReader.ts"
export * from "./StageStore.ts"
export * from "./StageStorePromise.ts"
