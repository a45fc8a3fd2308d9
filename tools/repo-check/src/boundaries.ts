import { type AllowedImports, contractPackages, coreBoundaries } from "./rules.ts"
import type { Finding } from "./violation.ts"
import type { WorkspacePackage } from "./workspace.ts"

/** Names a workspace folder by its package name, or by the name it will have once it exists. */
export type NameOfFolder = (folder: string) => string

/** "a", "a and b", "a, b and c". */
export const listNames = (names: ReadonlyArray<string>): string => {
  if (names.length === 0) return "no workspace package"
  if (names.length === 1) return names[0]!
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`
}

const isAllowed = (allowed: AllowedImports, target: WorkspacePackage): boolean =>
  "only" in allowed
    ? allowed.only.includes(target.folder)
    : target.kind === "core" && !allowed.anyCoreExcept.includes(target.folder)

const describeAllowed = (allowed: AllowedImports, nameOf: NameOfFolder): string =>
  "only" in allowed
    ? `only ${listNames(allowed.only.map(nameOf))}`
    : `any core package${allowed.anyCoreExcept.length > 0 ? ` except ${listNames(allowed.anyCoreExcept.map(nameOf))}` : ""} (never a plugin)`

const contractNames = (nameOf: NameOfFolder) => listNames(contractPackages.map(nameOf))

const pluginBreach = (target: WorkspacePackage, nameOf: NameOfFolder): Finding | undefined => {
  if (contractPackages.includes(target.folder)) return undefined
  const onlyContracts = `a plugin may import only ${contractNames(nameOf)} (design.md §2).`
  if (target.folder === "packages/runtime") {
    return {
      rule: "plugin-imports-runtime",
      why: `${onlyContracts} Move the shared code into plugin-api or spec.`
    }
  }
  if (target.kind === "plugin") {
    return {
      rule: "plugin-imports-plugin",
      why: `a plugin never imports another plugin; ${onlyContracts} Move the shared code into plugin-api or spec.`
    }
  }
  return {
    rule: "forbidden-import",
    why: `${onlyContracts} Ask the host for it through a capability in plugin-api, or move the code into plugin-api or spec.`
  }
}

const coreBreach = (
  source: WorkspacePackage,
  target: WorkspacePackage,
  nameOf: NameOfFolder
): Finding | undefined => {
  if (target.kind === "plugin") {
    return {
      rule: "core-imports-plugin",
      why:
        "core packages never import a plugin (design.md §2); plugin-host loads plugins at run time. " +
        "Program against the contract in plugin-api; to have the plugin installed, list it in dependencies without importing it."
    }
  }
  if (target.kind === "tool") {
    return {
      rule: "forbidden-import",
      why: "core packages never import a tool (design.md §2). Move the code into a core package."
    }
  }
  const allowed = coreBoundaries[source.folder] ?? { only: contractPackages }
  if (isAllowed(allowed, target)) return undefined
  return {
    rule: "forbidden-import",
    why:
      `${source.name} may import ${describeAllowed(allowed, nameOf)} (design.md §2). ` +
      "Move the code into a package both may import, or, if design.md §2 changed, update tools/repo-check/src/rules.ts with it."
  }
}

/** Why `source` may not import `target` (both workspace packages), or undefined if it may. */
export const boundaryBreach = (
  source: WorkspacePackage,
  target: WorkspacePackage,
  nameOf: NameOfFolder
): Finding | undefined => {
  if (source.kind === "tool" || source.folder === target.folder) return undefined
  return source.kind === "plugin" ? pluginBreach(target, nameOf) : coreBreach(source, target, nameOf)
}
