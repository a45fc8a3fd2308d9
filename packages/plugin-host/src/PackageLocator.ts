/**
 * Finding an installed package from a list of folders, the way Node resolves bare specifiers (walking up
 * `node_modules`), without importing it: the host reads a plugin's package.json and manifest before any
 * of its code runs. Also the entry point its `exports` name, and an integrity hash of its files.
 */
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs"
import { isAbsolute, join, relative, resolve, sep } from "node:path"
import { EntryPoint, InstalledPackage as InstalledPackageOf } from "@runbatch/spec"

export type InstalledPackage = InstalledPackageOf.InstalledPackage

const isPath = (specifier: string): boolean =>
  specifier.startsWith(".") || isAbsolute(specifier) || specifier.startsWith("file:")

/** The installed package `specifier` (a package name, or a path to a package folder) names. */
export const locate = (
  specifier: string,
  searchFrom: ReadonlyArray<string>
): InstalledPackage | undefined => {
  if (isPath(specifier)) return InstalledPackageOf.read(resolve(specifier.replace(/^file:(\/\/)?/, "")))
  for (const start of searchFrom) {
    const found = InstalledPackageOf.find(specifier, start)
    if (found !== undefined) return found
  }
  return undefined
}

type Exports = string | { readonly [key: string]: Exports } | ReadonlyArray<Exports> | null

/** The target a conditional `exports` value picks for these conditions. */
const pick = (value: Exports, conditions: ReadonlyArray<string>): string | undefined => {
  if (value === null) return undefined
  if (typeof value === "string") return value
  if (Array.isArray(value)) {
    for (const item of value as ReadonlyArray<Exports>) {
      const found = pick(item, conditions)
      if (found !== undefined) return found
    }
    return undefined
  }
  const record = value as { readonly [key: string]: Exports }
  for (const [key, target] of Object.entries(record)) {
    if (conditions.includes(key)) {
      const found = pick(target, conditions)
      if (found !== undefined) return found
    }
  }
  return undefined
}

/**
 * The absolute path of the module `import(pkg.name)` would load, or undefined when there is none inside
 * the package: a target that is missing, climbs out (`../x.js`, an absolute `main`), or is reached
 * through a symbolic link leading out of the package's folder.
 */
export const entryPoint = (
  pkg: InstalledPackage,
  conditions: ReadonlyArray<string> = EntryPoint.NODE_CONDITIONS
): string | undefined => {
  const exports = pkg.packageJson["exports"] as Exports | undefined
  let target: string | undefined
  if (exports !== undefined) {
    const root =
      typeof exports === "object" && exports !== null && !Array.isArray(exports) && "." in exports
        ? (exports as { readonly [key: string]: Exports })["."]!
        : exports
    target = pick(root, conditions)
  } else {
    const main = pkg.packageJson["main"]
    target = typeof main === "string" ? main : "index.js"
  }
  if (target === undefined) return undefined
  const path = resolve(pkg.directory, target)
  if (!path.startsWith(pkg.directory + sep) || !existsSync(path)) return undefined
  return realpathSync(path).startsWith(realpathSync(pkg.directory) + sep) ? path : undefined
}

// Hidden folders hold tools' state, not a package's code (`.git`, `.reports` a test run writes while
// another job is being planned, `.nx`, caches): hashing them made a plugin's integrity change under a
// running job in a workspace.
const files = (root: string, dir: string = root): Array<string> =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== "node_modules" && !(entry.isDirectory() && entry.name.startsWith(".")))
    .flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return files(root, path)
      return entry.isFile() ? [relative(root, path).split(sep).join("/")] : []
    })
    .sort()

/**
 * `sha256-<base64>` over every file of the package (paths and contents; `node_modules` and hidden folders excluded):
 * two installs hash equal exactly when their files are equal.
 */
export const integrity = (pkg: InstalledPackage): string => {
  const hash = createHash("sha256")
  for (const file of files(pkg.directory)) {
    hash.update(file)
    hash.update("\u0000")
    hash.update(String(statSync(join(pkg.directory, file)).size))
    hash.update("\u0000")
    hash.update(readFileSync(join(pkg.directory, file)))
  }
  return `sha256-${hash.digest("base64")}`
}
