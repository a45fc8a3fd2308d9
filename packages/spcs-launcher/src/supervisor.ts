#!/usr/bin/env node
/**
 * The supervisor process of one local job, started detached by `JobLauncher.layerLocal`'s `launch`:
 *
 *   node dist/supervisor.js <home>/jobs/<DB>/<SCHEMA>/<JOB>
 *
 * See JobSupervisor.ts for what it does.
 */
import { files } from "./JobFolder.ts"
import { supervise } from "./JobSupervisor.ts"
import { noteIn } from "./supervise/JobRun.ts"

const dir = process.argv[2]
if (dir === undefined || dir === "") {
  process.stderr.write("usage: supervisor <job folder>\n")
  process.exit(2)
}
// Whatever kills it (a full disk failing its status write, a bug) is noted in supervisor.log, where a
// client reading the job finds the cause (SupervisorLiveness), as far as the disk still takes a line.
process.on("uncaughtException", (error) => {
  noteIn(files(dir))(`fatal: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(70)
})
supervise(dir)
