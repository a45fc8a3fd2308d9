/** Every case of the corpus, by area. */
import type { Case } from "../Case.ts"
import { columns } from "./columns.ts"
import { connections } from "./connections.ts"
import { fileCases } from "./files.ts"
import { flags } from "./flags.ts"
import { jobFiles } from "./jobFiles.ts"
import { jobs, outputs } from "./jobs.ts"
import { links } from "./links.ts"
import { models } from "./models.ts"
import { identifiers, stageLocations } from "./names.ts"
import { paramCases } from "./params.ts"
import { plugins } from "./plugins.ts"
import { sessionCases } from "./session.ts"
import { specs } from "./specs.ts"

export const CASES: ReadonlyArray<Case> = [
  ...identifiers,
  ...stageLocations,
  ...specs,
  ...jobFiles,
  ...flags,
  ...paramCases,
  ...columns,
  ...models,
  ...plugins,
  ...sessionCases,
  ...outputs,
  ...jobs,
  ...links,
  ...fileCases,
  ...connections
]
