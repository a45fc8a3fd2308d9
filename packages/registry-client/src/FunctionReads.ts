/**
 * `showFunctions` and `resolveFunction` of any registry, from its `getVersion`: both backends read a
 * version the same way, and its functions from it.
 */
import { Effect } from "effect"
import type { ModelRegistryShape } from "./ModelRegistry.ts"
import { type FunctionRow, resolveVersionFunction } from "./ModelVersionInfo.ts"

export const functionReads = (
  getVersion: ModelRegistryShape["getVersion"]
): Pick<ModelRegistryShape, "showFunctions" | "resolveFunction"> => ({
  showFunctions: (name, version) =>
    Effect.map(getVersion(name, version), (loaded) =>
      loaded.functions.map(
        (f): FunctionRow => ({
          name: f.name,
          targetMethod: f.targetMethod,
          kind: f.kind,
          signature: f.signature
        })
      )
    ),
  resolveFunction: (name, version, functionName) =>
    Effect.flatMap(getVersion(name, version), (loaded) => resolveVersionFunction(loaded, functionName))
})
