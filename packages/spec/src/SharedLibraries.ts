/**
 * One copy of each library whose objects cross package boundaries. runbatch's packages hand each
 * other effect schemas and tagged errors, Arrow tables and plugin contracts; made by one copy of a
 * library and checked by another, they silently stop matching (a schema drops a field, an error is not
 * recognised). So these libraries are peer dependencies, and every runbatch package registers, when it
 * loads, which copy it resolves: a second copy fails at once, naming both and the fix, instead of a job
 * failing later for no visible reason. The plugin host checks a plugin the same way before importing
 * it (`conflicts`).
 *
 * The registrations live on a global, so copies of this module (two copies of spec) share them.
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { DuplicateDependency } from "./errors/InstallErrors.ts"
import * as InstalledPackage from "./InstalledPackage.ts"

/** The libraries an app must hold one copy of. */
export const LIBRARIES: ReadonlyArray<string> = [
  "effect",
  "apache-arrow",
  "@runbatch/spec",
  "@runbatch/plugin-api",
  "@runbatch/plugin-http"
]

/** One copy of a library, and the packages that resolved it. */
export interface Copy {
  readonly library: string
  readonly version: string
  /** Its real folder: two copies are two folders. */
  readonly directory: string
  readonly usedBy: Array<string>
}

const REGISTRY = Symbol.for("@runbatch/deps")

/** Library name → the copy the app loaded. */
export type Registry = Map<string, Copy>

/** The process's registry (version 1 of its shape), shared by every copy of this module. */
export const processRegistry = (): Registry => {
  const global = globalThis as { [REGISTRY]?: { readonly version: 1; readonly copies: Registry } }
  global[REGISTRY] ??= { version: 1, copies: new Map() }
  return global[REGISTRY].copies
}

const declared = (pkg: InstalledPackage.InstalledPackage): ReadonlyArray<string> => {
  const names = (field: string) => Object.keys((pkg.packageJson[field] as Record<string, unknown>) ?? {})
  return LIBRARIES.filter((library) =>
    [...names("dependencies"), ...names("peerDependencies")].includes(library)
  )
}

/**
 * The copies of shared libraries the package in `directory` would load: itself when it is one, and
 * each one it declares, resolved as Node resolves them from its real folder.
 */
export const resolutions = (directory: string): ReadonlyArray<Omit<Copy, "usedBy">> => {
  const pkg = InstalledPackage.read(directory)
  if (pkg === undefined) return []
  const real = realpathSync(directory)
  const own = LIBRARIES.includes(pkg.name)
    ? [{ library: pkg.name, version: pkg.version, directory: real }]
    : []
  return [
    ...own,
    ...declared(pkg).flatMap((library) => {
      const found = InstalledPackage.find(library, real)
      return found === undefined
        ? []
        : [{ library, version: found.version, directory: realpathSync(found.directory) }]
    })
  ]
}

/**
 * The copies the package in `directory` would load that differ from the ones registered, as
 * DuplicateDependency errors (none when it agrees, or when nothing is registered yet).
 */
export const conflicts = (
  directory: string,
  usedBy: string,
  registry: Registry = processRegistry()
): ReadonlyArray<DuplicateDependency> => conflictsOf(resolutions(directory), usedBy, registry)

const conflictsOf = (
  copies: ReadonlyArray<Omit<Copy, "usedBy">>,
  usedBy: string,
  registry: Registry
): ReadonlyArray<DuplicateDependency> =>
  copies.flatMap((copy) => {
    const known = registry.get(copy.library)
    return known === undefined || known.directory === copy.directory
      ? []
      : [
          new DuplicateDependency({
            library: copy.library,
            copies: [
              { version: known.version, directory: known.directory, usedBy: known.usedBy.join(", ") },
              { version: copy.version, directory: copy.directory, usedBy }
            ]
          })
        ]
  })

/**
 * Register the copies the package of `moduleUrl` resolves (call it with `import.meta.url` when the
 * package loads). Throws DuplicateDependency when another package loaded a different copy. Code that
 * is not in an installed package (a bundle) registers nothing.
 */
export const register = (moduleUrl: string, registry: Registry = processRegistry()): void => {
  if (!moduleUrl.startsWith("file:")) return
  const pkg = InstalledPackage.owning(fileURLToPath(moduleUrl))
  if (pkg === undefined) return
  const copies = resolutions(pkg.directory)
  const [conflict] = conflictsOf(copies, pkg.name, registry)
  if (conflict !== undefined) throw conflict
  for (const copy of copies) {
    const known = registry.get(copy.library)
    if (known === undefined) registry.set(copy.library, { ...copy, usedBy: [pkg.name] })
    else if (!known.usedBy.includes(pkg.name)) known.usedBy.push(pkg.name)
  }
}
