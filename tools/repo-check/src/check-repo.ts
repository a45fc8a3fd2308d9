import { listNames } from "./boundaries.ts"
import { checkImports } from "./check-imports.ts"
import { contractPackages, coreBoundaries } from "./rules.ts"
import { checkSharedLibraries } from "./shared-libraries.ts"
import { checkTsconfigReferences } from "./tsconfig-references.ts"
import type { Violation } from "./violation.ts"
import { discoverWorkspace, type WorkspacePackage } from "./workspace.ts"
import { indexWorkspace, type WorkspaceIndex } from "./workspace-index.ts"

export interface RepoCheck {
  readonly packages: ReadonlyArray<WorkspacePackage>
  readonly violations: ReadonlyArray<Violation>
}

const notInTable = (source: WorkspacePackage, workspace: WorkspaceIndex): ReadonlyArray<Violation> => {
  if (source.kind !== "core" || coreBoundaries[source.folder] !== undefined) return []
  const contracts = listNames(contractPackages.map(workspace.nameOf))
  return [
    {
      package: source.name,
      file: `${source.folder}/package.json`,
      rule: "unknown-package",
      severity: "warning",
      message:
        `${source.name} (${source.folder}) is not in the boundary table; add it to tools/repo-check/src/rules.ts ` +
        `(and its row to design.md §2). Until then it may import only ${contracts}.`
    }
  ]
}

/** Checks every workspace package under root against design.md §2 (see rules.ts). */
export const checkRepo = (root: string): RepoCheck => {
  const packages = discoverWorkspace(root)
  const workspace = indexWorkspace(packages)
  const violations = [
    ...packages.flatMap((source) => [
      ...notInTable(source, workspace),
      ...checkImports(root, source, workspace),
      ...checkTsconfigReferences(source, workspace)
    ]),
    ...checkSharedLibraries(packages)
  ]
  return { packages, violations }
}
