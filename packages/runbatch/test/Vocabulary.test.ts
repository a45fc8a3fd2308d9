import { describe, expect, it } from "@effect/vitest"
import { InvalidSpec, JobNotFound, MissingFeatureColumn, OutputSpec } from "@runbatch/spec"
import { Effect } from "effect"
import type { Command } from "../src/cli/Command.ts"
import { describeFailure } from "../src/cli/Failure.ts"
import { speak } from "../src/cli/Vocabulary.ts"
import * as InputSource from "../src/InputSource.ts"
import { refine } from "../src/InputSource.ts"

const run = { words: ["run"], usage: "" } as unknown as Command

describe("the CLI's vocabulary", () => {
  it("an output spec without a location names --output and --base-output; a job file keeps its fields", () => {
    const error = Effect.runSync(Effect.flip(OutputSpec.decode({})))
    expect(error).toBeInstanceOf(InvalidSpec)
    expect(error.message).toContain("stage_location or base_stage_location")
    const flags = describeFailure(error, run).text
    expect(flags).toContain(
      "Invalid output (--output / --base-output): --output: Either --output or --base-output must be provided."
    )
    expect(flags).not.toMatch(/stage_?location/i)
    const jobFile = describeFailure(error, run, { vocabulary: "jobFile" }).text
    expect(jobFile).toContain("Either stage_location or base_stage_location must be provided.")
  })

  it("a job that does not exist points to runbatch jobs ls, not listJobs", () => {
    const text = describeFailure(new JobNotFound({ job: "ML.PUBLIC.J", closest: [] }), run).text
    expect(text).toContain("List the jobs of a schema with runbatch jobs ls")
    expect(text).not.toContain("listJobs")
  })

  it("a replica's log is shown with jobs logs --instance, naming the job", () => {
    const message =
      "Replica 0 of 2 exited with code 1.\nLast lines of its log (getLogs({ instance: 0 })):\n  boom"
    expect(speak(message, { vocabulary: "jobFile", job: "ML.PUBLIC.J" })).toContain(
      "Last lines of its log (runbatch jobs logs ML.PUBLIC.J --instance 0)"
    )
  })

  it("a files input missing a feature says --column FEATURE, not SQL", () => {
    const missing = new MissingFeatureColumn({ feature: "IMAGE", closest: [], columns: ["FILE_PATH"] })
    const refined = refine(InputSource.files("@ML.PUBLIC.S/imgs/"), missing)
    expect(refined.message).not.toContain("SELECT")
    expect(describeFailure(refined, run).text).toContain(
      "The files' paths are in the column FILE_PATH; name it after the feature: --column IMAGE."
    )
    expect(describeFailure(refined, run, { vocabulary: "jobFile" }).text).toContain(
      "name it after the feature: column: IMAGE in the files source."
    )
    // A table input keeps the SQL advice.
    expect(refine(InputSource.table("T"), missing).message).toContain('SELECT <col> AS "IMAGE"')
  })

  it("the database is chosen with --database or RUNBATCH_DATABASE", () => {
    expect(speak("Choose the database with the session's database option, or", { vocabulary: "flags" })).toBe(
      "Choose the database with --database (or RUNBATCH_DATABASE), or"
    )
  })

  it("a conversion to change is said as --column-handling", () => {
    expect(speak('Use convert_to: raw_bytes for "FILE_PATH".', { vocabulary: "flags" })).toBe(
      "Use --column-handling FILE_PATH=raw_bytes."
    )
  })
})
