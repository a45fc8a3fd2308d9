import { describe, expect, it } from "@effect/vitest"
import * as Spec from "@runbatch/spec"
import { Effect } from "effect"
import { EnginePrepareError, PluginBatchError, StageFileError } from "../src/index.ts"

describe("the errors a plugin fails with", () => {
  it("are spec's own classes, so the runtime catches them by tag and class", () => {
    expect(PluginBatchError).toBe(Spec.PluginBatchError)
    expect(EnginePrepareError).toBe(Spec.EnginePrepareError)
    expect(StageFileError).toBe(Spec.StageFileError)
  })

  it.effect("are caught by their tag when a plugin fails with one", () =>
    Effect.gen(function* () {
      const caught = yield* new PluginBatchError({ plugin: "echo", reason: "busy", retryable: true }).pipe(
        Effect.catchTag("PluginBatchError", (error) => Effect.succeed(error.retryable))
      )
      expect(caught).toBe(true)
    })
  )
})
