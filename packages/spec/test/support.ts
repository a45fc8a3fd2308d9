/** Small helpers shared by the spec tests: run an effect and get its value or its typed error. */
import { expect } from "@effect/vitest"
import { Effect, Result } from "effect"

const describeError = (e: unknown): string =>
  typeof e === "object" && e !== null && "_tag" in e
    ? `${String((e as { _tag: unknown })._tag)}: ${(e as { message?: unknown }).message}`
    : String(e)

/** The value of an effect that must succeed (the test fails with the error's message otherwise). */
export const ok = <A, E>(effect: Effect.Effect<A, E>): A => {
  const result = Effect.runSync(Effect.result(effect))
  if (Result.isFailure(result)) throw new Error(`expected success, got ${describeError(result.failure)}`)
  return result.success
}

/** The error of an effect that must fail. */
export const fail = <A, E>(effect: Effect.Effect<A, E>): E => {
  const result = Effect.runSync(Effect.result(effect))
  if (Result.isSuccess(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.success)}`)
  return result.failure
}

/** The error of an effect that must fail with `tag`, its message holding every fragment. */
export const failsWith = <
  A,
  E extends { readonly _tag: string; readonly message: string },
  T extends E["_tag"]
>(
  effect: Effect.Effect<A, E>,
  tag: T,
  ...fragments: ReadonlyArray<string>
): Extract<E, { readonly _tag: T }> => {
  const error = fail(effect)
  expect(error._tag).toBe(tag)
  for (const fragment of fragments) expect(error.message).toContain(fragment)
  return error as Extract<E, { readonly _tag: T }>
}
