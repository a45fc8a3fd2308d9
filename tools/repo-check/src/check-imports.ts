import { readFileSync } from "node:fs"
import { join } from "node:path"
import { boundaryBreach } from "./boundaries.ts"
import { undeclaredDependency } from "./declared-dependencies.ts"
import { moduleReferences, packageNameOf } from "./module-specifiers.ts"
import { nativeModuleBreach } from "./native-modules.ts"
import { relativePosix } from "./paths.ts"
import { sourceFiles } from "./source-files.ts"
import type { Finding, Violation } from "./violation.ts"
import type { WorkspacePackage } from "./workspace.ts"
import type { WorkspaceIndex } from "./workspace-index.ts"

/** Boundary, declared-dependency and native-module violations of one package's src/ imports. */
export const checkImports = (
  root: string,
  source: WorkspacePackage,
  workspace: WorkspaceIndex
): ReadonlyArray<Violation> => {
  const violations: Array<Violation> = []
  const seen = new Set<string>()
  for (const path of sourceFiles(join(source.dir, "src"))) {
    const file = relativePosix(root, path)
    for (const reference of moduleReferences(path, readFileSync(path, "utf8"))) {
      const packageName = packageNameOf(reference.specifier)
      if (packageName === undefined || packageName === source.name) continue
      const target = workspace.byName.get(packageName)
      const nativeWhy = nativeModuleBreach(source, packageName, workspace.nameOf)
      const findings: ReadonlyArray<Finding | undefined> = [
        target && boundaryBreach(source, target, workspace.nameOf),
        undeclaredDependency(source, packageName, reference.typeOnly, target),
        nativeWhy === undefined ? undefined : { rule: "native-module-owner", why: nativeWhy }
      ]
      for (const finding of findings) {
        if (finding === undefined) continue
        // One report per file, package and rule: the fix is the same for every occurrence.
        const key = `${file}\0${packageName}\0${finding.rule}`
        if (seen.has(key)) continue
        seen.add(key)
        violations.push({
          package: source.name,
          file,
          line: reference.line,
          specifier: reference.specifier,
          rule: finding.rule,
          severity: "error",
          message: `${file} imports ${reference.specifier}: ${finding.why}`
        })
      }
    }
  }
  return violations
}
