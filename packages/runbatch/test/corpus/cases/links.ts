/**
 * Symbolic links below the home, each standing for a folder of the layout and pointing out of the
 * home (the fixture's LINKED stage, LINKED_MODEL model and LINKED_JOB job, whose targets lie beside
 * the home): runbatch follows none of them, whatever the command, and names the link. (The real
 * command exits with 1 for these, an operation refused rather than a bad argument, so they are not
 * `realCli` cases; packages/runbatch's test/e2e/Security.test.ts runs them through it.)
 */
import { type Case, cli, run, runLine } from "../Case.ts"

const stage = "stages/ML/PUBLIC/LINKED is a symbolic link"
const model = "registry/ML/PUBLIC/LINKED_MODEL is a symbolic link"
const job = "jobs/ML/PUBLIC/LINKED_JOB is a symbolic link"

export const links: ReadonlyArray<Case> = [
  cli(
    "stage-rm-linked-stage",
    "stage rm of a stage whose folder is a symbolic link out of the home",
    ["stage", "rm", "@ML.PUBLIC.LINKED/"],
    "StageFileError",
    stage
  ),
  cli(
    "stage-ls-linked-stage",
    "stage ls of a stage whose folder is a symbolic link out of the home",
    ["stage", "ls", "@ML.PUBLIC.LINKED/"],
    "StageFileError",
    stage
  ),
  cli(
    "stage-get-linked-stage",
    "stage get from a stage whose folder is a symbolic link out of the home",
    ["stage", "get", "@ML.PUBLIC.LINKED/data/", "{home}/inputs/stage-get-linked-stage/got"],
    "StageFileError",
    stage
  ),
  cli(
    "stage-put-linked-stage",
    "stage put onto a stage whose folder is a symbolic link out of the home",
    ["stage", "put", "{file:planted.txt}", "@ML.PUBLIC.LINKED/data/"],
    "StageFileError",
    stage,
    { files: { "planted.txt": "planted" } }
  ),
  cli(
    "results-linked-stage",
    "results read from a stage whose folder is a symbolic link out of the home",
    ["results", "@ML.PUBLIC.LINKED/out/"],
    "StageFileError",
    stage
  ),
  run(
    "output-linked-stage",
    "an output folder on a stage whose folder is a symbolic link out of the home (mode overwrite)",
    { outputSpec: { stageLocation: "@ML.PUBLIC.LINKED/out/", mode: "overwrite" } },
    "StageFileError",
    stage
  ),
  run(
    "input-files-linked-stage",
    "input files listed from a stage whose folder is a symbolic link out of the home",
    { model: "BYTES", input: { kind: "files", location: "@ML.PUBLIC.LINKED/data/", column: "DATA" } },
    "StageFileError",
    stage
  ),
  cli(
    "model-show-linked-model",
    "model show of a model whose folder is a symbolic link out of the home",
    ["model", "show", "LINKED_MODEL"],
    "LocalFileError",
    model
  ),
  cli(
    "run-linked-model",
    "--model naming a model whose folder is a symbolic link out of the home",
    runLine({ "--model": "LINKED_MODEL" }),
    "LocalFileError",
    model
  ),
  cli(
    "jobs-rm-linked-job",
    "jobs rm of a job whose folder is a symbolic link out of the home",
    ["jobs", "rm", "ML.PUBLIC.LINKED_JOB"],
    "LocalFileError",
    job
  ),
  cli(
    "jobs-status-linked-job",
    "jobs status of a job whose folder is a symbolic link out of the home",
    ["jobs", "status", "LINKED_JOB"],
    "LocalFileError",
    job
  ),
  run(
    "job-name-linked-job",
    "a job name whose folder is a symbolic link out of the home",
    { jobSpec: { jobName: "LINKED_JOB", numWorkers: 1 } },
    "LocalFileError",
    job
  )
]
