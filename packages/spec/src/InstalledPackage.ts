/**
 * Finding an installed package the way Node resolves a bare specifier — walking up `node_modules`
 * folders from a starting folder — without importing it. The plugin host uses it to read a plugin's
 * manifest before any of its code runs; SharedLibraries uses it to see which copy of a library a
 * package would load. The one place in spec that reads files: both checks must run before the code
 * they guard is imported.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs"
import { basename, dirname, join, resolve } from "node:path"

export interface InstalledPackage {
  readonly name: string
  readonly version: string
  /** The package's folder as found (through any links: what Node's resolver starts from). */
  readonly directory: string
  readonly packageJson: Readonly<Record<string, unknown>>
}

/** The package in `directory`, or undefined when it holds no package.json. */
export const read = (directory: string): InstalledPackage | undefined => {
  const file = join(directory, "package.json")
  if (!existsSync(file)) return undefined
  const packageJson = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>
  return {
    name: typeof packageJson["name"] === "string" ? packageJson["name"] : directory,
    version: typeof packageJson["version"] === "string" ? packageJson["version"] : "0.0.0",
    directory,
    packageJson
  }
}

/** The package `name` resolves to from `fromDirectory`: the nearest `node_modules/<name>` up the tree. */
export const find = (name: string, fromDirectory: string): InstalledPackage | undefined => {
  let dir = resolve(fromDirectory)
  for (;;) {
    // As Node does, a node_modules folder is not searched for a node_modules of its own.
    const found =
      basename(dir) === "node_modules" ? undefined : read(join(dir, "node_modules", ...name.split("/")))
    if (found !== undefined) return found
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The package a file belongs to: the nearest folder up from it that holds a package.json. */
export const owning = (file: string): InstalledPackage | undefined => {
  if (!existsSync(file)) return undefined
  let dir = dirname(realpathSync(file))
  for (;;) {
    const found = read(dir)
    if (found !== undefined) return found
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
