import type { NameOfFolder } from "./boundaries.ts"
import type { WorkspacePackage } from "./workspace.ts"

/** The workspace packages looked up the ways the checks need. */
export interface WorkspaceIndex {
  readonly packages: ReadonlyArray<WorkspacePackage>
  readonly byName: ReadonlyMap<string, WorkspacePackage>
  readonly nameOf: NameOfFolder
}

export const indexWorkspace = (packages: ReadonlyArray<WorkspacePackage>): WorkspaceIndex => {
  const byFolder = new Map(packages.map((workspacePackage) => [workspacePackage.folder, workspacePackage]))
  return {
    packages,
    byName: new Map(packages.map((workspacePackage) => [workspacePackage.name, workspacePackage])),
    // A folder the table names may not exist yet; its package will be @runbatch/<folder name>.
    nameOf: (folder) => byFolder.get(folder)?.name ?? `@runbatch/${folder.split("/").at(-1)}`
  }
}
