import { relativePosix } from "./paths.ts"
import type { Finding } from "./violation.ts"
import type { WorkspacePackage } from "./workspace.ts"

// npm workspaces hoist every dependency to the root node_modules, so an undeclared import works
// here and breaks only for a user who installs the package alone. Hence this rule.

/** DefinitelyTyped's name for a package's types: `x` → `@types/x`, `@a/b` → `@types/a__b`. */
const typesPackageOf = (packageName: string): string =>
  `@types/${packageName.startsWith("@") ? packageName.slice(1).replace("/", "__") : packageName}`

const declaresTypesOf = (source: WorkspacePackage, packageName: string): boolean => {
  const typesPackage = typesPackageOf(packageName)
  return source.runtimeDependencies.has(typesPackage) || source.devDependencies.has(typesPackage)
}

/**
 * Why importing `packageName` from `source` is not backed by its package.json, or undefined if it is.
 * A type-only import is erased from the JavaScript, so a devDependency is enough for it, and so is
 * the package's @types/ package.
 */
export const undeclaredDependency = (
  source: WorkspacePackage,
  packageName: string,
  typeOnly: boolean,
  target: WorkspacePackage | undefined
): Finding | undefined => {
  if (source.runtimeDependencies.has(packageName)) return undefined
  const inDev = source.devDependencies.has(packageName)
  if (typeOnly && (inDev || declaresTypesOf(source, packageName))) return undefined
  const rule = target === undefined ? "undeclared-dependency" : "undeclared-workspace-dependency"
  const manifest = `${source.folder}/package.json`
  if (inDev) {
    return {
      rule,
      why:
        `it is loaded at run time but ${manifest} declares it only in devDependencies. ` +
        'Move it to "dependencies" (or "peerDependencies").'
    }
  }
  const install = `npm install ${packageName} --workspace ${source.folder}`
  const reference =
    target === undefined
      ? ""
      : ` and { "path": "${relativePosix(source.dir, target.dir)}" } to the references in ${source.folder}/tsconfig.json`
  const where = typeOnly
    ? '"dependencies" (or "devDependencies", since only types are imported)'
    : '"dependencies"'
  return {
    rule,
    why:
      `${manifest} does not declare it, so it breaks once the package is installed on its own ` +
      `(npm workspaces hoisting hides this here). Add it to ${where} (${install})${reference}.`
  }
}
