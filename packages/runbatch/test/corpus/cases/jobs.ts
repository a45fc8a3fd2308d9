/**
 * Outputs and jobs: a folder that holds results or is claimed, results that are not complete or were
 * altered, job names that are taken or unknown, resuming what cannot be resumed, waiting too little.
 * DONE_JOB (finished, output @ML.PUBLIC.DONE/out/) and BUSY_JOB (running, output @ML.PUBLIC.BUSY/out/)
 * are the fixture's.
 */
import { type Case, call, cli, run, runLine } from "../Case.ts"

export const outputs: ReadonlyArray<Case> = [
  run(
    "output-has-results",
    "an output folder holding a finished job's results (mode error)",
    { outputSpec: { stageLocation: "@ML.PUBLIC.DONE/out/" } },
    "OutputNotEmpty",
    "@ML.PUBLIC.DONE/out/"
  ),
  run(
    "output-has-user-file",
    "an output folder holding a user's file (mode error)",
    { outputSpec: { stageLocation: "@ML.PUBLIC.CORPUS/occupied/" } },
    "OutputNotEmpty",
    "@ML.PUBLIC.CORPUS/occupied/"
  ),
  cli(
    "cli-output-has-results",
    "--output of a folder holding results, mode given as ERROR",
    runLine({ "--output": "@ML.PUBLIC.DONE/out/", "--mode": "ERROR" }),
    "OutputNotEmpty",
    "@ML.PUBLIC.DONE/out/"
  ),
  run(
    "overwrite-refused-keeps-results",
    "mode overwrite on a folder of results, with a misspelt param: refused before clearing anything",
    {
      outputSpec: { stageLocation: "@ML.PUBLIC.DONE/out/", mode: "overwrite" },
      inputSpec: { params: { temprature: 0.5 } }
    },
    "ParamsNotAccepted",
    "temprature"
  ),
  run(
    "overwrite-refused-engine",
    "mode overwrite on a folder of results, with engine options the engine refuses",
    {
      outputSpec: { stageLocation: "@ML.PUBLIC.DONE/out/", mode: "OVERWRITE" as never },
      inferenceEngineOptions: { options: { weights: [1] } }
    },
    "EnginePrepareError",
    "weights"
  ),
  cli(
    "overwrite-refused-missing-column",
    "--mode overwrite on a folder of results, with a query missing a feature",
    runLine({
      "--table": undefined,
      "--query": "SELECT x FROM points",
      "--output": "@ML.PUBLIC.DONE/out/",
      "--mode": "overwrite"
    }),
    "MissingFeatureColumn",
    'feature "z"'
  ),
  run(
    "output-claimed",
    "an output folder a running job has claimed",
    { outputSpec: { stageLocation: "@ML.PUBLIC.BUSY/out/" } },
    "OutputClaimed",
    "BUSY_JOB"
  ),
  run(
    "output-claimed-overwrite",
    "overwriting an output folder a running job has claimed",
    { outputSpec: { stageLocation: "@ML.PUBLIC.BUSY/out/", mode: "overwrite" } },
    "OutputClaimed",
    "BUSY_JOB"
  ),
  cli(
    "results-running",
    "results of a job still running",
    ["results", "@ML.PUBLIC.BUSY/out/"],
    "ResultsIncomplete",
    "@ML.PUBLIC.BUSY/out/"
  ),
  cli(
    "results-no-success",
    "results of a folder without _SUCCESS",
    ["results", "@ML.PUBLIC.DONE/nosuccess/"],
    "ResultsIncomplete",
    "_SUCCESS"
  ),
  cli(
    "results-empty-folder",
    "results of a folder with nothing in it",
    ["results", "@ML.PUBLIC.DONE/never/"],
    "StageFileError",
    "Nothing was found at @ML.PUBLIC.DONE/never/: it holds no files"
  ),
  cli(
    "results-nothing-committed",
    "results --allow-incomplete of a folder where no part was committed",
    ["results", "@ML.PUBLIC.DONE/never/", "--allow-incomplete"],
    "NoResultsCommitted",
    "@ML.PUBLIC.DONE/never/"
  ),
  cli(
    "results-output-exists",
    "results --output into a path that exists (here the working folder), without --force",
    ["results", "@ML.PUBLIC.DONE/altered/", "--output", "."],
    "ExportFileExists",
    "--force"
  ),
  cli(
    "results-altered",
    "results of a folder whose part was altered",
    ["results", "@ML.PUBLIC.DONE/altered/"],
    "ResultsCorrupt",
    "part-"
  ),
  call(
    "read-results-altered",
    "readResults of a folder whose part was altered",
    (session) => session.readResults("@ML.PUBLIC.DONE/altered/"),
    "ResultsCorrupt",
    "@ML.PUBLIC.DONE/altered/"
  )
]

export const jobs: ReadonlyArray<Case> = [
  run(
    "job-name-taken",
    "a job name a finished job has",
    { jobSpec: { jobName: "DONE_JOB" } },
    "JobExists",
    "ML.PUBLIC.DONE_JOB"
  ),
  run(
    "job-name-taken-other-case",
    "a job name a finished job has, written in lower case",
    { jobSpec: { jobName: "done_job" } },
    "JobExists",
    "DONE_JOB"
  ),
  run(
    "job-name-taken-qualified",
    "a qualified job name a running job has",
    { jobSpec: { jobName: "ML.PUBLIC.BUSY_JOB" } },
    "JobExists",
    "BUSY_JOB"
  ),
  cli(
    "job-status-unknown",
    "jobs status of a job that never ran",
    ["jobs", "status", "NO_SUCH_JOB"],
    "JobNotFound",
    "NO_SUCH_JOB"
  ),
  cli(
    "job-status-close-name",
    "jobs status of a misspelt job (DONE_JOBS)",
    ["jobs", "status", "DONE_JOBS"],
    "JobNotFound",
    "DONE_JOB"
  ),
  cli(
    "job-rm-unknown",
    "jobs rm of a job that never ran",
    ["jobs", "rm", "NO_SUCH_JOB"],
    "JobNotFound",
    "NO_SUCH_JOB"
  ),
  cli(
    "job-logs-unknown",
    "jobs logs of a job in another schema",
    ["jobs", "logs", "ML.OTHER.DONE_JOB"],
    "JobNotFound",
    "ML.OTHER.DONE_JOB"
  ),
  cli(
    "job-resume-unknown",
    "jobs resume of a job that never ran",
    ["jobs", "resume", "NO_SUCH_JOB"],
    "JobNotFound",
    "NO_SUCH_JOB"
  ),
  cli(
    "job-resume-done",
    "jobs resume of a job that is DONE",
    ["jobs", "resume", "DONE_JOB"],
    "ResumeRefused",
    "DONE"
  ),
  call(
    "job-resume-running",
    "resuming a job that is still running",
    (session) => session.resumeJob("BUSY_JOB"),
    "ResumeRefused",
    "RUNNING"
  ),
  call(
    "job-wait-timeout",
    "waiting 0.2 s for a job that runs for minutes",
    async (_, fixture) => fixture.busy.wait({ timeoutSeconds: 0.2 }),
    "JobTimeout",
    "0.2 seconds"
  ),
  cli(
    "cli-job-wait-timeout",
    "jobs wait --timeout 0 for a running job",
    ["jobs", "wait", "BUSY_JOB", "--timeout", "0"],
    "JobTimeout",
    "BUSY_JOB"
  ),
  cli(
    "cli-job-wait-fraction",
    "jobs wait --timeout 0.5 (seconds are whole)",
    ["jobs", "wait", "BUSY_JOB", "--timeout", "0.5"],
    "UsageError",
    '--timeout must be a whole number, got "0.5"'
  )
]
