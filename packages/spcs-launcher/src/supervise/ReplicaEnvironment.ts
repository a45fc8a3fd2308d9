/** What a replica is started with: Snowpark Container Services' job-container variables and runbatch's own. */
import type { JobRecord } from "../JobFolder.ts"

/** CPU share of one replica: floor(cpus / replicas), at least 1. */
export const cpuShare = (cpus: number, replicas: number): number => Math.max(1, Math.floor(cpus / replicas))

/** The environment of replica `index`: SPCS's job-container variables and runbatch's own. */
export const replicaEnvironment = (
  record: JobRecord,
  index: number,
  monitorDir: string,
  base: NodeJS.ProcessEnv = process.env
): NodeJS.ProcessEnv => ({
  ...base,
  ...record.env,
  SNOWFLAKE_JOB_INDEX: String(index),
  SNOWFLAKE_JOBS_COUNT: String(record.replicas),
  SNOWFLAKE_SERVICE_NAME: record.name,
  SNOWFLAKE_DATABASE: record.database,
  SNOWFLAKE_SCHEMA: record.schema,
  RUNBATCH_PLAN: record.planLocation,
  RUNBATCH_HOME: record.home,
  RUNBATCH_CPUS: String(cpuShare(record.cpus, record.replicas)),
  RUNBATCH_MONITOR_DIR: monitorDir,
  // Replicas stop at once should this supervisor die: nothing would watch them any more.
  RUNBATCH_SUPERVISOR_PID: String(process.pid)
})
