// RUNBATCH_STAGE_MOUNTS as a replica in a container reads it: stages by their SQL names, each at an
// absolute mount path; anything else is refused with what is wrong.
import { StageLocation } from "@runbatch/spec"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { parseStageMounts } from "../src/StageMounts.ts"

const key = (text: string) => StageLocation.stageKey(Effect.runSync(StageLocation.parse(text)))

describe("RUNBATCH_STAGE_MOUNTS", () => {
  it("maps each stage, however written, to its mount path; unset means no mounts", () => {
    expect(
      parseStageMounts('{"@ML.PUBLIC.RESULTS": "/stages/0", "@ml.public.\\"my images\\"/": "/stages/1"}')
    ).toEqual({
      mounts: { [key("@ML.PUBLIC.RESULTS")]: "/stages/0", [key('@ML.PUBLIC."my images"')]: "/stages/1" }
    })
    expect(parseStageMounts(undefined)).toEqual({ mounts: undefined })
    expect(parseStageMounts(" ")).toEqual({ mounts: undefined })
  })

  it("refuses what is not JSON, not an object, not a whole stage or not an absolute path", () => {
    const problem = (text: string) => {
      const parsed = parseStageMounts(text)
      return "problem" in parsed ? parsed.problem : undefined
    }
    expect(problem("{")).toMatch(/^RUNBATCH_STAGE_MOUNTS is not JSON/)
    expect(problem('["/stages/0"]')).toMatch(/must be a JSON object/)
    expect(problem('{"@RESULTS": "/stages/0"}')).toMatch(/names "@RESULTS": .*no current database/)
    expect(problem('{"@ML.PUBLIC.RESULTS/out/": "/stages/0"}')).toMatch(/a mount is of a whole stage/)
    expect(problem('{"@ML.PUBLIC.RESULTS": "stages/0"}')).toMatch(/not an absolute path/)
    expect(problem('{"@ML.PUBLIC.RESULTS": 3}')).toMatch(/not an absolute path/)
  })
})
