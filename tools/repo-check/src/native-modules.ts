import { listNames, type NameOfFolder } from "./boundaries.ts"
import { type NativeModuleOwners, nativeModuleOwners } from "./rules.ts"
import type { WorkspacePackage } from "./workspace.ts"

const isEncoderPlugin = (source: WorkspacePackage): boolean =>
  source.kind === "plugin" &&
  (source.pluginKind === "encoder" ||
    (source.pluginKind === undefined && source.folder.split("/")[1]!.startsWith("encoder-")))

const mayImport = (owners: NativeModuleOwners, source: WorkspacePackage): boolean =>
  owners.packages.includes(source.folder) ||
  (owners.tools && source.kind === "tool") ||
  (owners.encoderPlugins && isEncoderPlugin(source))

const describeOwners = (owners: NativeModuleOwners, nameOf: NameOfFolder): string =>
  listNames([
    ...owners.packages.map(nameOf),
    ...(owners.encoderPlugins ? ["encoder plugins"] : []),
    ...(owners.tools ? ["tools"] : [])
  ])

/** Why `source` may not import the native module `moduleName`, or undefined if it may (or it is not native). */
export const nativeModuleBreach = (
  source: WorkspacePackage,
  moduleName: string,
  nameOf: NameOfFolder
): string | undefined => {
  const owners = nativeModuleOwners[moduleName]
  if (owners === undefined || mayImport(owners, source)) return undefined
  return (
    `${moduleName} is a native module that only ${describeOwners(owners, nameOf)} may import (design.md §2). ` +
    "Use it through the package that owns it, or, if ownership changed, update tools/repo-check/src/rules.ts."
  )
}
