/**
 * Whether a package's build is its current sources. Threads and processes a test starts run the
 * build in dist/ (EntryPoint), and vitest's global setup builds before tests run; this checks the
 * result from the build's own record: `tsc -b` writes the SHA-256 of every source it compiled into
 * `dist/.tsbuildinfo`, so a build matches exactly when every file of src/ hashes to its recorded value.
 */
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative, resolve, sep } from "node:path"

interface BuildInfo {
  readonly fileNames: ReadonlyArray<string>
  readonly fileInfos: ReadonlyArray<string | { readonly version: string }>
}

const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.isFile() && entry.name.endsWith(".ts") ? [path] : []
  })

/**
 * The files of `packageDir/src` the build in `packageDir/dist` does not match — changed since it was
 * built, or not built at all — relative to the package folder. Empty when the build is current.
 */
export const staleSources = (packageDir: string): ReadonlyArray<string> => {
  const infoFile = join(packageDir, "dist", ".tsbuildinfo")
  const all = sources(join(packageDir, "src"))
  if (!existsSync(infoFile)) return all.map((file) => relative(packageDir, file))
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as BuildInfo
  const recorded = new Map<string, string>()
  info.fileNames.forEach((name, i) => {
    const entry = info.fileInfos[i]
    const version = typeof entry === "string" ? entry : entry?.version
    if (version !== undefined) recorded.set(resolve(packageDir, "dist", name), version)
  })
  return all
    .filter(
      (file) => recorded.get(file) !== createHash("sha256").update(readFileSync(file, "utf8")).digest("hex")
    )
    .map((file) => relative(packageDir, file).split(sep).join("/"))
}
