/**
 * @runbatch/plugin-host — finds, checks and loads runbatch plugins.
 */
export * from "./FirstPartyPlugins.ts"
export * as PackageLocator from "./PackageLocator.ts"
export * from "./PluginHost.ts"
export * from "./RequiredColumnHandling.ts"
