/**
 * What the Promise faces (`SqlPromise`, `StageStorePromise`, `RegistryPromise`, the facade's session)
 * run their effects with: anything that can run an effect needing `R` as a Promise, such as a
 * `ManagedRuntime`. Rejections carry the typed error itself, not a wrapper.
 */
import type { Effect } from "effect"

export interface EffectRunner<R> {
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}
