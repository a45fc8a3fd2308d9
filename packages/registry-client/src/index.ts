/**
 * @runbatch/registry-client — models, versions, functions and signatures, in Snowflake's model-version
 * layout.
 */
export * as LocalRegistry from "./LocalRegistry.ts"
export * from "./ModelRegistry.ts"
export * as ModelVersionFiles from "./ModelVersionFiles.ts"
export * from "./ModelVersionInfo.ts"
export * from "./RegistryPromise.ts"
