/**
 * The packages as users get them: `npm pack` of every publishable workspace package, and what each
 * tarball must hold — every file its package.json points at (each export's targets, `bin`, `main`,
 * `types`) and the build of every source file — so a file left out by `files`, a missing bin or a
 * missing type reads as a list of what is missing, not as an app that fails later.
 */
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative, sep } from "node:path"

export interface WorkspacePackage {
  readonly name: string
  readonly version: string
  readonly dir: string
  readonly packageJson: Readonly<Record<string, unknown>>
}

export interface Tarball {
  readonly name: string
  readonly version: string
  /** The .tgz file. */
  readonly file: string
  /** The paths it holds, relative to the package root. */
  readonly files: ReadonlyArray<string>
}

/** The package in `dir`. */
export const readPackage = (dir: string): WorkspacePackage => {
  const packageJson = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>
  return { name: String(packageJson["name"]), version: String(packageJson["version"]), dir, packageJson }
}

/** The workspace packages npm would publish (not `private`), core packages first. */
export const publishable = (root: string): ReadonlyArray<WorkspacePackage> =>
  ["packages", "plugins"].flatMap((parent) =>
    readdirSync(join(root, parent))
      .sort()
      .map((name) => join(root, parent, name))
      .filter((dir) => existsSync(join(dir, "package.json")))
      .map(readPackage)
      .filter((pkg) => pkg.packageJson["private"] !== true)
  )

/** `npm pack` of package folders into `destination` (one npm process for them all). */
export const pack = (dirs: ReadonlyArray<string>, destination: string): ReadonlyArray<Tarball> => {
  const output = execFileSync("npm", ["pack", "--json", "--pack-destination", destination, ...dirs], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024
  })
  const packed = JSON.parse(output) as ReadonlyArray<{
    readonly name: string
    readonly version: string
    readonly filename: string
    readonly files: ReadonlyArray<{ readonly path: string }>
  }>
  return packed.map((p) => ({
    name: p.name,
    version: p.version,
    file: join(destination, p.filename),
    files: p.files.map((f) => f.path)
  }))
}

type Exports = string | null | ReadonlyArray<Exports> | { readonly [key: string]: Exports }

/** Every file an `exports` value names, with the condition path that names it. */
const exportTargets = (value: Exports, path: string): Array<readonly [string, string]> => {
  if (value === null) return []
  if (typeof value === "string") return [[value, path]]
  if (Array.isArray(value)) return value.flatMap((item: Exports) => exportTargets(item, path))
  return (
    Object.entries(value as { readonly [key: string]: Exports })
      // The source condition is the workspace's own (its tests read TypeScript sources).
      .filter(([key]) => key !== "@runbatch/source")
      .flatMap(([key, target]) => exportTargets(target, path === "" ? key : `${path} → ${key}`))
  )
}

const sources = (dir: string): Array<string> =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) return sources(path)
        return entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : []
      })
    : []

const clean = (path: string): string => path.replace(/^\.\//, "")

/** The files a package's tarball must hold, each with why. */
export const expectedFiles = (pkg: WorkspacePackage): ReadonlyMap<string, string> => {
  const expected = new Map<string, string>([["package.json", "the manifest"]])
  const json = pkg.packageJson
  const exports = json["exports"] as Exports | undefined
  if (exports !== undefined) {
    const subpaths =
      typeof exports === "object" &&
      exports !== null &&
      !Array.isArray(exports) &&
      Object.keys(exports)[0]?.startsWith(".")
        ? Object.entries(exports as { readonly [key: string]: Exports })
        : [[".", exports] as const]
    for (const [subpath, value] of subpaths) {
      for (const [target, conditions] of exportTargets(value, "")) {
        expected.set(clean(target), `export "${subpath}"${conditions === "" ? "" : ` (${conditions})`}`)
      }
    }
  }
  for (const field of ["main", "types"]) {
    if (typeof json[field] === "string") expected.set(clean(json[field] as string), `"${field}"`)
  }
  const bin = json["bin"]
  const bins =
    typeof bin === "string" ? { [pkg.name]: bin } : ((bin as Record<string, string> | undefined) ?? {})
  for (const [command, target] of Object.entries(bins)) expected.set(clean(target), `bin ${command}`)
  for (const source of sources(join(pkg.dir, "src"))) {
    const built = relative(join(pkg.dir, "src"), source).split(sep).join("/").replace(/\.ts$/, "")
    const from = `built from src/${built}.ts`
    if (!expected.has(`dist/${built}.js`)) expected.set(`dist/${built}.js`, from)
    if (!expected.has(`dist/${built}.d.ts`)) expected.set(`dist/${built}.d.ts`, from)
  }
  return expected
}

/** What a tarball misses, one readable line each (empty when nothing is missing). */
export const missingFiles = (pkg: WorkspacePackage, tarball: Tarball): ReadonlyArray<string> => {
  const held = new Set(tarball.files)
  return [...expectedFiles(pkg)]
    .filter(([file]) => !held.has(file))
    .map(([file, why]) => `${tarball.name}@${tarball.version} is missing ${file} (${why})`)
}
