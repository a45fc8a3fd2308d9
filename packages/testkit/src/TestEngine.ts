/**
 * The testkit engine, `test-linear`: a deterministic weighted sum of the numeric features with
 * injectable faults (see fixtures/runbatch-engine-test/index.js). A fixture package loaded like any
 * plugin, by path, so runtime tests exercise the real plugin host.
 */
import { fileURLToPath } from "node:url"
import { Signature } from "@runbatch/spec"

/** The engine package's folder: pass it in a job's plugins list. */
export const packageDir = fileURLToPath(new URL("../fixtures/runbatch-engine-test", import.meta.url))

export const id = "test-linear"

/** The signature tests log the engine with: features x and z, output y (y = Σ weights·features + bias). */
export const signature = Signature.signature(
  [Signature.feature("x", "DOUBLE"), Signature.feature("z", "DOUBLE")],
  [Signature.feature("y", "DOUBLE")]
)

/** Input columns for `signature`, with an ID the job passes through. */
export const columns = [
  Signature.feature("ID", "INT64"),
  Signature.feature("X", "DOUBLE"),
  Signature.feature("Z", "DOUBLE")
]

/** What the engine computes for one row, to check outputs against a direct call. */
export const expected = (
  values: ReadonlyArray<number | null>,
  weights?: ReadonlyArray<number>,
  bias = 0
): number | null =>
  values.some((v) => v === null)
    ? null
    : values.reduce<number>((sum, v, i) => sum + (weights?.[i] ?? 1) * (v as number), bias)
