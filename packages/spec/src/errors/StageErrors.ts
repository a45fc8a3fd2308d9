import { Schema } from "effect"

/** A file on a stage is missing, over the size limit, or cannot be read. */
export class StageFileError extends Schema.TaggedError<StageFileError>()("StageFileError", {
  location: Schema.String,
  problem: Schema.Literals([
    "not_found",
    "too_large",
    "unreadable",
    "unwritable",
    "escapes_stage",
    "name_too_long"
  ]),
  detail: Schema.optionalKey(Schema.String),
  limitBytes: Schema.optionalKey(Schema.Number)
}) {
  override get message(): string {
    switch (this.problem) {
      case "not_found":
        return this.detail === undefined
          ? `The stage file ${this.location} does not exist. Check the path (paths are case-sensitive) or list the stage with runbatch stage ls.`
          : `Nothing was found at ${this.location}: ${this.detail}. Check the path (paths are case-sensitive) and the pattern, or list the stage with runbatch stage ls.`
      case "too_large":
        return `The stage file ${this.location} is larger than the ${this.limitBytes ?? "configured"}-byte limit${this.detail === undefined ? "" : ` (${this.detail})`}. Raise the limit in the encoder options or shrink the file.`
      case "escapes_stage":
        return `The stage file ${this.location} resolves outside its stage (through a symbolic link); runbatch refuses to read or write it.${this.detail === undefined ? "" : ` ${this.detail}`}`
      case "name_too_long":
        return `The stage location ${this.location} cannot be kept by the local account${this.detail === undefined ? "." : `: ${this.detail}`}`
      case "unwritable":
        return `The stage file ${this.location} cannot be written${this.detail === undefined ? "." : `: ${this.detail}`}`
      case "unreadable":
        return `The stage file ${this.location} cannot be read${this.detail === undefined ? "." : `: ${this.detail}`}`
    }
    return `The stage file ${this.location} cannot be used.`
  }
}

/** Stage storage is write-once: a file with this name already exists and is never overwritten. */
export class StageFileExists extends Schema.TaggedError<StageFileExists>()("StageFileExists", {
  location: Schema.String
}) {
  override get message(): string {
    return `The stage file ${this.location} already exists; stage files are written once and never overwritten. Remove it first (runbatch stage rm) or write under another name.`
  }
}

/** SaveMode `error`: the output folder already holds files, so nothing was written. */
export class OutputNotEmpty extends Schema.TaggedError<OutputNotEmpty>()("OutputNotEmpty", {
  location: Schema.String,
  files: Schema.Number,
  sample: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `Output stage location '${this.location}' is not empty. Found ${this.files} existing files (${this.sample.join(", ")}${this.files > this.sample.length ? ", …" : ""}). When using ERROR mode, the output location must be empty. Please clear the existing files or use OVERWRITE mode.`
  }
}

/** Another job claimed the same output folder first; two jobs never write one output. */
export class OutputClaimed extends Schema.TaggedError<OutputClaimed>()("OutputClaimed", {
  location: Schema.String,
  job: Schema.String
}) {
  override get message(): string {
    return `The output location '${this.location}' is being written by the job ${this.job}. Wait for it to finish, or choose another location (base_stage_location gives each job its own folder).`
  }
}

/** Results were asked for from a folder without `_SUCCESS`: the job failed, or is still running. */
export class ResultsIncomplete extends Schema.TaggedError<ResultsIncomplete>()("ResultsIncomplete", {
  location: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The results at '${this.location}' are not complete: ${this.reason} Check the job's status (runbatch jobs status), or pass allowIncomplete (--allow-incomplete) to read the committed parts anyway.`
  }
}

/**
 * A files job (one row per file of a stage folder) whose folder and pattern list no file: it would end
 * DONE with no rows. Refused before anything is written, unless the source allows empty runs.
 */
export class NoFilesMatched extends Schema.TaggedError<NoFilesMatched>()("NoFilesMatched", {
  location: Schema.String,
  pattern: Schema.optionalKey(Schema.String)
}) {
  override get message(): string {
    const what =
      this.pattern === undefined
        ? `There are no files under '${this.location}'`
        : `No files under '${this.location}' match ${JSON.stringify(this.pattern)} (a regular expression over the whole path inside the stage)`
    return `${what}: the job would have no rows. List the folder (runbatch stage ls ${this.location}) and check the location and pattern; to run a job over no files anyway, allow it (allow_empty: true in the job file's source, --allow-empty, allowEmpty in InputSource.files).`
  }
}

/**
 * Results of a job that stopped, or has not yet committed a shard, were read with `allowIncomplete`:
 * there is no committed part, so there are no rows and no columns to read.
 */
export class NoResultsCommitted extends Schema.TaggedError<NoResultsCommitted>()("NoResultsCommitted", {
  location: Schema.String
}) {
  override get message(): string {
    return `No results have been committed to '${this.location}': the job writing it stopped (or has not yet finished a shard) before any part counted. Check the job's status and logs (runbatch jobs status, runbatch jobs logs); run it again or resume it.`
  }
}

/** `results --output FILE` found FILE already there: an export never replaces a file unasked. */
export class ExportFileExists extends Schema.TaggedError<ExportFileExists>()("ExportFileExists", {
  path: Schema.String
}) {
  override get message(): string {
    return `The file ${this.path} already exists. Pass --force to replace it, or choose another name.`
  }
}

/**
 * A file of a store with no local path (a remote stage) could not be copied into a private temporary
 * folder on this machine, where it is read in place: the disk is full, or the folder is not writable.
 */
export class LocalCopyFailed extends Schema.TaggedError<LocalCopyFailed>()("LocalCopyFailed", {
  location: Schema.String,
  folder: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The stage file ${this.location} could not be copied into ${this.folder} to be read on this machine: ${this.reason} Free space there, or set TMPDIR to a folder with room for the largest input file or result part.`
  }
}

/** A result part does not match its manifest (rows, bytes or checksum): the output was altered. */
export class ResultsCorrupt extends Schema.TaggedError<ResultsCorrupt>()("ResultsCorrupt", {
  location: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `The results at '${this.location}' do not match their manifest: ${this.reason} Run the job again.`
  }
}
