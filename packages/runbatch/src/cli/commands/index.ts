/** Every command of the CLI, in the order `runbatch --help` lists them. */
import type { Command } from "../Command.ts"
import { demo } from "./demo.ts"
import { jobsCancel, jobsList, jobsLogs, jobsRemove, jobsResume, jobsStatus, jobsWait } from "./jobs.ts"
import { modelList, modelLog, modelShow } from "./model.ts"
import { results } from "./results.ts"
import { run } from "./run.ts"
import { sql } from "./sql.ts"
import { stageGet, stageList, stagePut, stageRemove } from "./stage.ts"
import { tableCreate, tableList } from "./table.ts"

export const commands: ReadonlyArray<Command> = [
  demo,
  run,
  jobsList,
  jobsStatus,
  jobsWait,
  jobsLogs,
  jobsCancel,
  jobsResume,
  jobsRemove,
  results,
  modelLog,
  modelList,
  modelShow,
  sql,
  tableCreate,
  tableList,
  stagePut,
  stageList,
  stageGet,
  stageRemove
]
