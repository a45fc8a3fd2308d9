/**
 * @runbatch/plugin-api — what runbatch plugins compile against. Write an encoder with `defineEncoder`
 * or an engine with `defineEngine` (or their Promise twins), declare it in package.json's `runbatch`
 * field, and depend on this package as a peer. See docs/plugins/authoring.md.
 *
 * The contract only: the Encoder and Engine types and their `define*` functions, the manifest schema,
 * `PLUGIN_API_VERSION`, the capabilities the host provides (`FileReader`, `PluginLogger`), the errors a
 * plugin fails with, and the Arrow a batch is made of with the helpers any plugin reading one needs
 * (`plainValue`, `readFileColumn`, `readBinaryColumn`). Plugins that call a server opt into `@runbatch/plugin-http`.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * as Arrow from "./Arrow.ts"
export * from "./Encoder.ts"
export * from "./Engine.ts"
export * from "./FileColumn.ts"
export * from "./FileReader.ts"
export * as Manifest from "./Manifest.ts"
export * from "./PlainValue.ts"
export * from "./PluginApiVersion.ts"
export * from "./PluginErrors.ts"
export * from "./PluginLogger.ts"
export * from "./PromisePlugins.ts"
export * from "./RowError.ts"
