#!/usr/bin/env node
/**
 * The supervisor process of one local job, started detached by `JobLauncher.layerLocal`'s `launch`:
 *
 *   node dist/supervisor.js <home>/jobs/<DB>/<SCHEMA>/<JOB>
 *
 * See JobSupervisor.ts for what it does.
 */
import { supervise } from "./JobSupervisor.ts"

const dir = process.argv[2]
if (dir === undefined || dir === "") {
  process.stderr.write("usage: supervisor <job folder>\n")
  process.exit(2)
}
supervise(dir)
