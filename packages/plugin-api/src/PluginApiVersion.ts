/**
 * The version of the contract between runbatch and its plugins. A plugin declares the version it was
 * written against (`"apiVersion": 1` in its manifest); the host loads only plugins whose version it
 * speaks. Additive changes keep the number; a breaking change bumps it.
 */
export const PLUGIN_API_VERSION = 1 as const

/** Versions of the plugin API this host can load. */
export const SUPPORTED_API_VERSIONS: ReadonlyArray<number> = [PLUGIN_API_VERSION]

/**
 * This package's npm version. Plugins declare a peer range on `@runbatch/plugin-api`; the host checks
 * it against this (a test keeps it equal to package.json).
 */
export const PLUGIN_API_PACKAGE_VERSION = "0.1.0"
