import type { Violation } from "./violation.ts"
import type { WorkspacePackage } from "./workspace.ts"

// The dependency policy (docs/architecture.md, "Dependencies"): a library whose objects cross package
// boundaries must exist once in an app, so every package declares it as a peer dependency with the
// same range, and pins it as a devDependency for the workspace. Declared as a plain dependency, npm may
// nest a private copy per package — which is how every packed-install job once ended FAILED.

/** Libraries every package shares: effect schemas and errors, Arrow tables. */
export const SHARED_LIBRARIES: ReadonlyArray<string> = ["effect", "apache-arrow"]

/** What plugins compile against, shared with the host the same way. */
export const PLUGIN_CONTRACTS: ReadonlyArray<string> = [
  "@runbatch/plugin-api",
  "@runbatch/plugin-http",
  "@runbatch/spec"
]

const sharedBy = (source: WorkspacePackage): ReadonlyArray<string> =>
  source.kind === "plugin" ? [...SHARED_LIBRARIES, ...PLUGIN_CONTRACTS] : SHARED_LIBRARIES

const mostCommon = (values: ReadonlyArray<string>): string | undefined => {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0]
}

/** The policy's breaches across the workspace: each package, each shared library it uses. */
export const checkSharedLibraries = (packages: ReadonlyArray<WorkspacePackage>): ReadonlyArray<Violation> => {
  const libraries = [...new Set(packages.flatMap(sharedBy))]
  const agreed = new Map(
    libraries.map((library) => {
      const declared = (field: "peerDependencies" | "devDependencies") =>
        mostCommon(packages.flatMap((p) => p.declared[field][library] ?? []))
      return [library, { range: declared("peerDependencies"), pin: declared("devDependencies") }]
    })
  )
  return packages.flatMap((source) =>
    sharedBy(source).flatMap((library): ReadonlyArray<Violation> => {
      const { dependencies, peerDependencies, devDependencies } = source.declared
      const uses = library in dependencies || library in peerDependencies || library in devDependencies
      if (!uses) return []
      const { range, pin } = agreed.get(library)!
      const at = { package: source.name, file: `${source.folder}/package.json`, specifier: library }
      const moveTo = `"peerDependencies": { "${library}": "${range ?? "<range>"}" } and "devDependencies": { "${library}": "${pin ?? "<version>"}" }`
      if (library in dependencies) {
        return [
          {
            ...at,
            rule: "shared-library-dependency",
            severity: "error",
            message: `${library} is in "dependencies": its objects cross package boundaries, so an app must hold one copy, and a plain dependency lets npm nest a private one. Declare ${moveTo} instead (docs/architecture.md, Dependencies).`
          }
        ]
      }
      const found: Array<Violation> = []
      if (peerDependencies[library] !== undefined && peerDependencies[library] !== range) {
        found.push({
          ...at,
          rule: "shared-library-range",
          severity: "error",
          message: `the peer range of ${library} is "${peerDependencies[library]}" here and "${range}" in the other packages: one range everywhere, or an app cannot satisfy them all with one copy.`
        })
      }
      if (peerDependencies[library] !== undefined && devDependencies[library] !== pin) {
        found.push({
          ...at,
          rule: "shared-library-pin",
          severity: "error",
          message: `${library} must be pinned in "devDependencies" as "${pin}", as in the other packages, so the workspace builds and tests against one version.`
        })
      }
      return found
    })
  )
}
