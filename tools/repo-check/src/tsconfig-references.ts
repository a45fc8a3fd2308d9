import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import ts from "typescript"
import { relativePosix } from "./paths.ts"
import type { Violation } from "./violation.ts"
import type { WorkspacePackage } from "./workspace.ts"
import type { WorkspaceIndex } from "./workspace-index.ts"

// `tsc -b` builds a package's references first, so they must name exactly the workspace packages
// it depends on: a missing one builds out of order, an extra one is a dependency package.json hides.

const readReferences = (tsconfigPath: string, folder: string): ReadonlyArray<string> => {
  const { config, error } = ts.readConfigFile(tsconfigPath, ts.sys.readFile)
  if (error !== undefined) {
    throw new Error(`${folder}/tsconfig.json: ${ts.flattenDiagnosticMessageText(error.messageText, "\n")}`)
  }
  const references: unknown = (config as { references?: unknown }).references ?? []
  if (!Array.isArray(references)) throw new Error(`${folder}/tsconfig.json: "references" must be an array`)
  return references.flatMap((reference: unknown) =>
    typeof reference === "object" &&
    reference !== null &&
    "path" in reference &&
    typeof reference.path === "string"
      ? [reference.path]
      : []
  )
}

/** A reference may name a folder or a tsconfig file in it. */
const referencedDir = (packageDir: string, path: string): string => {
  const absolute = resolve(packageDir, path)
  return absolute.endsWith(".json") ? dirname(absolute) : absolute
}

const hasTsconfig = (workspacePackage: WorkspacePackage) =>
  existsSync(join(workspacePackage.dir, "tsconfig.json"))

export const checkTsconfigReferences = (
  source: WorkspacePackage,
  workspace: WorkspaceIndex
): ReadonlyArray<Violation> => {
  if (!hasTsconfig(source)) return []
  const file = `${source.folder}/tsconfig.json`
  const referencedDirs = new Map(
    readReferences(join(source.dir, "tsconfig.json"), source.folder).map((path) => [
      referencedDir(source.dir, path),
      path
    ])
  )
  // tsconfig.json builds src/ only; tests are type-checked by the root tsconfig.tests.json, so
  // devDependencies (test-only packages such as testkit) need no reference — and must not, or a
  // package and its test helpers would reference each other in a cycle.
  const dependedOn = [...source.runtimeDependencies]
    .map((name) => workspace.byName.get(name))
    .filter((target): target is WorkspacePackage => target !== undefined && target !== source)
    .filter(hasTsconfig)
  const expectedDirs = new Set(dependedOn.map((target) => target.dir))

  const missing = dependedOn
    .filter((target) => !referencedDirs.has(target.dir))
    .map((target): Violation => {
      const path = relativePosix(source.dir, target.dir)
      return {
        package: source.name,
        file,
        specifier: target.name,
        rule: "missing-tsconfig-reference",
        severity: "error",
        message:
          `${file} has no reference to ${path} although ${source.folder}/package.json depends on ${target.name}. ` +
          `Add { "path": "${path}" } to "references" so tsc -b builds it first.`
      }
    })

  const extra = [...referencedDirs]
    .filter(([dir]) => !expectedDirs.has(dir))
    .map(([dir, path]): Violation => {
      const target = workspace.packages.find((candidate) => candidate.dir === dir)
      return {
        package: source.name,
        file,
        specifier: target?.name ?? path,
        rule: "extra-tsconfig-reference",
        severity: "error",
        message:
          target === undefined || !hasTsconfig(target)
            ? `${file} references ${path}, which is not a workspace package with a tsconfig.json. Remove the reference.`
            : `${file} references ${path} but ${source.folder}/package.json does not depend on ${target.name}. ` +
              "Remove the reference, or declare the dependency if the package uses it."
      }
    })

  return [...missing, ...extra]
}
