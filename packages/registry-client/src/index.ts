/**
 * @runbatch/registry-client — models, versions, functions and signatures, in Snowflake's model-version
 * layout: the ModelRegistry service, its local backend, and the one reader both backends share.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * as LocalRegistry from "./LocalRegistry.ts"
export * from "./ModelRegistry.ts"
export * as ModelVersionFiles from "./ModelVersionFiles.ts"
export * from "./ModelVersionInfo.ts"
export * as ModelVersionReader from "./ModelVersionReader.ts"
export * from "./RegistryPromise.ts"
export * as VersionFolder from "./VersionFolder.ts"
