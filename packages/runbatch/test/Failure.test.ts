import { describe, expect, it } from "@effect/vitest"
import { JobNotFound, JobRecordUnreadable } from "@runbatch/spec"
import type { Command } from "../src/cli/Command.ts"
import { describeFailure } from "../src/cli/Failure.ts"

const command = { words: ["jobs", "status"], usage: "<job>" } as unknown as Command

describe("a failed command's exit code", () => {
  it("is 1 for a job folder of another runbatch version: nothing the user typed was wrong", () => {
    const error = new JobRecordUnreadable({
      file: "/home/.runbatch/jobs/ML/PUBLIC/J/status.json",
      found: "2",
      expected: 1,
      reason: "it is version 2"
    })
    expect(describeFailure(error, command)).toMatchObject({
      exitCode: 1,
      json: { tag: "JobRecordUnreadable" }
    })
  })

  it("is 2 for a job that does not exist", () => {
    expect(describeFailure(new JobNotFound({ job: "ML.PUBLIC.J", closest: [] }), command).exitCode).toBe(2)
  })
})
