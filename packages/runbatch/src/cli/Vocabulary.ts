/**
 * The command line speaks in commands and flags where the library speaks in its option and method
 * names: a library message naming `stage_location`, `listJobs` or `getLogs({ instance: 2 })` reads,
 * on the command line, `--output`, `runbatch jobs ls` and `runbatch jobs logs JOB --instance 2`. One
 * table of terms, applied to every library message the CLI prints (a failure, a job's status
 * message). A job given as a job file (`run -f`) keeps the file's own field names: only the method
 * names are translated then.
 */
import { InvalidSpec } from "@runbatch/spec"

/** How the user described what they asked for: flags on the line, or a job file. */
export type Vocabulary = "flags" | "jobFile"

interface Term {
  readonly library: RegExp
  /**
   * What the CLI says instead, per vocabulary (`$1` for a group; `{job}` is the job's id when known,
   * else `JOB`); a vocabulary not listed keeps the library's words (a job file's own field names).
   */
  readonly cli: Readonly<Partial<Record<Vocabulary, string>>>
}

const both = (cli: string) => ({ flags: cli, jobFile: cli })

const TERMS: ReadonlyArray<Term> = [
  { library: /\bbase_stage_location\b|\bbaseStageLocation\b/g, cli: { flags: "--base-output" } },
  { library: /\bstage_location\b|\bstageLocation\b/g, cli: { flags: "--output" } },
  { library: /\bjob_name_prefix\b|\bjobNamePrefix\b/g, cli: { flags: "--job-name-prefix" } },
  { library: /\bjob_name\b|\bjobName\b/g, cli: { flags: "--job-name" } },
  { library: /\bon_error\b|\bonError\b/g, cli: { flags: "--on-error" } },
  { library: /\bmax_batch_rows\b|\bmaxBatchRows\b/g, cli: { flags: "--max-batch-rows" } },
  { library: /\bmax_batch_bytes\b|\bmaxBatchBytes\b/g, cli: { flags: "--max-batch-bytes" } },
  { library: /\bnum_workers\b|\bnumWorkers\b/g, cli: { flags: "--workers" } },
  { library: /\bstrict_nulls\b|\bstrictNulls\b/g, cli: { flags: "--strict-nulls" } },
  {
    library: /files\(location, \{ column: "([^"]+)" \}\)/g,
    cli: { flags: "--column $1", jobFile: "column: $1 in the files source" }
  },
  { library: /convert_to: (\w+) for "([^"]+)"/g, cli: { flags: "--column-handling $2=$1" } },
  { library: /the session's database option/g, cli: both("--database (or RUNBATCH_DATABASE)") },
  { library: /\blistJobs\b/g, cli: both("runbatch jobs ls") },
  { library: /\blistStageFiles\b/g, cli: both("runbatch stage ls") },
  { library: /getLogs\(\{ instance: (\d+) \}\)/g, cli: both("runbatch jobs logs {job} --instance $1") }
]

/** The library's spec names, as the flags that fill them. */
const SPECS: Readonly<Record<string, string>> = {
  OutputSpec: "output (--output / --base-output)",
  JobSpec: "job options",
  InputSpec: "input options"
}

export interface Speaker {
  readonly vocabulary: Vocabulary
  /** The job the text is about, for commands it suggests. */
  readonly job?: string
}

/** `text` in the CLI's terms. */
export const speak = (text: string, speaker: Speaker): string =>
  TERMS.reduce((said, term) => {
    const cli = term.cli[speaker.vocabulary]
    return cli === undefined ? said : said.replace(term.library, cli.replace("{job}", speaker.job ?? "JOB"))
  }, text)

/** A failure's message in the CLI's terms (an invalid spec's name and problem paths included). */
export const speakError = (error: unknown, speaker: Speaker): string => {
  if (error instanceof InvalidSpec && speaker.vocabulary === "flags") {
    return new InvalidSpec({
      spec: SPECS[error.spec] ?? error.spec,
      problems: error.problems.map((p) => ({
        path: speak(p.path, speaker),
        message: speak(p.message, speaker)
      }))
    }).message
  }
  return speak(error instanceof Error ? error.message : String(error), speaker)
}
