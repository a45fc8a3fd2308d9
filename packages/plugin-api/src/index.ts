/**
 * @runbatch/plugin-api — what runbatch plugins compile against. Write an encoder with `defineEncoder`
 * or an engine with `defineEngine` (or their Promise twins), declare it in package.json's `runbatch`
 * field, and depend on this package as a peer. See docs/plugins/authoring.md.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * as Arrow from "./Arrow.ts"
export * from "./Encoder.ts"
export * from "./Engine.ts"
export * from "./FileColumn.ts"
export * from "./FileReader.ts"
export * from "./HttpEndpoint.ts"
export * from "./JsonColumns.ts"
export * as Manifest from "./Manifest.ts"
export * as MediaType from "./MediaType.ts"
export * from "./PluginApiVersion.ts"
export * from "./PluginLogger.ts"
export * from "./PromisePlugins.ts"
export * from "./Redaction.ts"
export * from "./RowError.ts"
