import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

export type PackageKind = "core" | "plugin" | "tool"

export interface WorkspacePackage {
  readonly name: string
  /** Relative to the repo root, e.g. "packages/spec": the key of the boundary table. */
  readonly folder: string
  readonly dir: string
  readonly kind: PackageKind
  /** `runbatch.kind` of a plugin manifest ("encoder", "engine"), if it has one. */
  readonly pluginKind: string | undefined
  /** dependencies and peerDependencies: what is installed with the package. */
  readonly runtimeDependencies: ReadonlySet<string>
  readonly devDependencies: ReadonlySet<string>
  /** The three dependency fields as written: name → version or range. */
  readonly declared: {
    readonly dependencies: Readonly<Record<string, string>>
    readonly peerDependencies: Readonly<Record<string, string>>
    readonly devDependencies: Readonly<Record<string, string>>
  }
}

interface PackageJson {
  readonly name?: unknown
  readonly dependencies?: unknown
  readonly peerDependencies?: unknown
  readonly devDependencies?: unknown
  readonly runbatch?: unknown
}

// The same globs as the root package.json "workspaces".
const workspaceFolders = ["packages", "plugins", "tools"] as const

const dependencyNames = (field: unknown): ReadonlyArray<string> =>
  typeof field === "object" && field !== null ? Object.keys(field) : []

const dependencyVersions = (field: unknown): Readonly<Record<string, string>> =>
  typeof field === "object" && field !== null
    ? Object.fromEntries(Object.entries(field).map(([name, version]) => [name, String(version)]))
    : {}

const manifestKind = (manifest: unknown): string | undefined => {
  if (typeof manifest !== "object" || manifest === null || !("kind" in manifest)) return undefined
  return typeof manifest.kind === "string" ? manifest.kind : undefined
}

const kindOf = (parent: (typeof workspaceFolders)[number], pluginKind: string | undefined): PackageKind => {
  if (parent === "tools") return "tool"
  return parent === "plugins" || pluginKind !== undefined ? "plugin" : "core"
}

const readPackage = (root: string, parent: (typeof workspaceFolders)[number], entry: string) => {
  const folder = `${parent}/${entry}`
  const dir = join(root, parent, entry)
  const manifestPath = join(dir, "package.json")
  if (!existsSync(manifestPath)) return undefined
  let json: PackageJson
  try {
    json = JSON.parse(readFileSync(manifestPath, "utf8")) as PackageJson
  } catch (cause) {
    throw new Error(`${folder}/package.json is not valid JSON: ${String(cause)}`)
  }
  const pluginKind = manifestKind(json.runbatch)
  const workspacePackage: WorkspacePackage = {
    name: typeof json.name === "string" ? json.name : folder,
    folder,
    dir,
    kind: kindOf(parent, pluginKind),
    pluginKind,
    runtimeDependencies: new Set([
      ...dependencyNames(json.dependencies),
      ...dependencyNames(json.peerDependencies)
    ]),
    devDependencies: new Set(dependencyNames(json.devDependencies)),
    declared: {
      dependencies: dependencyVersions(json.dependencies),
      peerDependencies: dependencyVersions(json.peerDependencies),
      devDependencies: dependencyVersions(json.devDependencies)
    }
  }
  return workspacePackage
}

/** The workspace packages under root, in a stable order. Folders without package.json are skipped, as npm does. */
export const discoverWorkspace = (root: string): ReadonlyArray<WorkspacePackage> =>
  workspaceFolders.flatMap((parent) => {
    const parentDir = join(root, parent)
    if (!existsSync(parentDir)) return []
    return readdirSync(parentDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort()
      .flatMap((entry) => readPackage(root, parent, entry) ?? [])
  })
