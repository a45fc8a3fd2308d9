/**
 * The GBDT of the original's 10-billion-row benchmark as the whole-job tools use it: its signature
 * (13 DOUBLE features in, a label and 3 probabilities out) and the SQL of a generated table for it.
 */
import { Signature } from "@runbatch/spec"

export const GBDT_FEATURES = 13

export const gbdtSignature = () =>
  Signature.signature(
    Array.from({ length: GBDT_FEATURES }, (_, j) => Signature.feature(`F${j}`, "DOUBLE")),
    [Signature.feature("label", "INT64"), Signature.feature("probabilities", "FLOAT", { shape: [3] })]
  )

/** `rows` rows of an ID and the features: two decimals each, as measured values usually are. */
export const gbdtRowsQuery = (rows: number) => {
  const features = Array.from(
    { length: GBDT_FEATURES },
    (_, j) => `round(((hash(r * ${GBDT_FEATURES} + ${j}) % 100000) / 10000.0)::DOUBLE, 2) AS F${j}`
  )
  return `SELECT r AS ID, ${features.join(", ")} FROM range(${rows}) t(r)`
}
