/**
 * An installed plugin that would serve a request but is not listed — for the PluginNotFound message
 * only, so that it can say "list it" rather than "install it". The host still uses nothing it was not
 * told to (design.md §3: never a scan of node_modules to collect plugins); this looks only after a
 * request has failed, reads package.json files and never imports code. It searches the folders Node
 * would resolve a bare name from (`node_modules` up from each of `searchFrom`), one package deep and
 * one under each `@scope`.
 */
import { existsSync, readdirSync } from "node:fs"
import { basename, dirname, join, resolve } from "node:path"
import { Manifest } from "@runbatch/plugin-api"
import { InstalledPackage } from "@runbatch/spec"
import { Effect, Exit } from "effect"

/** The `node_modules` folders a bare specifier resolves through from `start`, nearest first. */
const moduleFolders = (start: string): Array<string> => {
  const folders: Array<string> = []
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules" && existsSync(join(dir, "node_modules")))
      folders.push(join(dir, "node_modules"))
    if (dirname(dir) === dir) return folders
  }
}

/** The package folders in a `node_modules` folder, scoped ones included. */
const packageFolders = (folder: string): Array<string> =>
  readdirSync(folder, { withFileTypes: true })
    .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && !entry.name.startsWith("."))
    .flatMap((entry) =>
      entry.name.startsWith("@")
        ? readdirSync(join(folder, entry.name)).map((name) => join(folder, entry.name, name))
        : [join(folder, entry.name)]
    )

/** The plugin in `directory`: its package name and manifest; undefined when it is none. */
const pluginIn = (
  directory: string
): { readonly name: string; readonly manifest: Manifest.PluginManifest } | undefined => {
  try {
    const pkg = InstalledPackage.read(directory)
    if (pkg === undefined || pkg.packageJson["runbatch"] === undefined) return undefined
    const decoded = Effect.runSyncExit(Manifest.fromPackageJson(pkg.packageJson))
    return Exit.isSuccess(decoded) ? { name: pkg.name, manifest: decoded.value } : undefined
  } catch {
    // An unreadable package.json is no plugin; this search only improves a message.
    return undefined
  }
}

/**
 * The name of an installed package whose manifest `serves`, leaving out those in `known` (already
 * listed, or runbatch's own, which are found without being listed); undefined when there is none.
 */
export const findUnlisted = (
  searchFrom: ReadonlyArray<string>,
  serves: (manifest: Manifest.PluginManifest) => boolean,
  known: ReadonlySet<string>
): string | undefined => {
  const folders = [...new Set(searchFrom.flatMap(moduleFolders))]
  for (const directory of folders.flatMap(packageFolders)) {
    const plugin = pluginIn(directory)
    if (plugin !== undefined && !known.has(plugin.name) && serves(plugin.manifest)) return plugin.name
  }
  return undefined
}
