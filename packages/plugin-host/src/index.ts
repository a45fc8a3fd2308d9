/**
 * @runbatch/plugin-host — finds, checks and loads runbatch plugins.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * from "./FirstPartyPlugins.ts"
export * as PackageLocator from "./PackageLocator.ts"
export * from "./PluginHost.ts"
export * from "./RequiredColumnHandling.ts"
