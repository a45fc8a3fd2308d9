import { existsSync, readdirSync } from "node:fs"
import { join } from "node:path"

const sourceExtension = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/

/** Every source file under dir (recursively), sorted, as absolute paths. */
export const sourceFiles = (dir: string): ReadonlyArray<string> => {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== "node_modules")
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) return sourceFiles(path)
      return entry.isFile() && sourceExtension.test(entry.name) ? [path] : []
    })
}
