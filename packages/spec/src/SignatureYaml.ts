/**
 * The `signatures:` section of Snowflake's `model.yaml`, read and written as YAML: a map of method name
 * to signature. Reading accepts a whole `model.yaml` (other keys ignored) or just the map.
 */
import { Effect } from "effect"
import * as Yaml from "yaml"
import { InvalidSignature } from "./errors/SignatureErrors.ts"
import * as Signature from "./Signature.ts"
import { plainValue } from "./YamlValue.ts"

export type Signatures = Readonly<Record<string, Signature.ModelSignature>>

/** Decode a parsed `signatures` map (method → signature), validating each. */
export const fromWire = (input: unknown): Effect.Effect<Signatures, InvalidSignature> =>
  Effect.gen(function* () {
    const root =
      typeof input === "object" && input !== null && "signatures" in input
        ? (input as { readonly signatures: unknown }).signatures
        : input
    if (typeof root !== "object" || root === null || Array.isArray(root) || Object.keys(root).length === 0) {
      return yield* new InvalidSignature({
        reason: "expected a map of method name to signature ({predict: {inputs: [...], outputs: [...]}})."
      })
    }
    const out: Array<[string, Signature.ModelSignature]> = []
    for (const [method, sig] of Object.entries(root))
      out.push([method, yield* Signature.fromWire(sig, method)])
    // Own properties, whatever the method's name (`__proto__` included): names are data.
    return Object.fromEntries(out)
  })

/** Parse YAML (or JSON) text holding signatures. */
export const parse = (text: string): Effect.Effect<Signatures, InvalidSignature> => {
  const doc = Yaml.parseDocument(text, { uniqueKeys: true })
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    return Effect.fail(
      new InvalidSignature({
        reason: `not valid YAML${e.linePos === undefined ? "" : ` (line ${e.linePos[0].line})`}: ${e.message.split("\n")[0]}`
      })
    )
  }
  const plain = plainValue(doc)
  return "problem" in plain
    ? Effect.fail(new InvalidSignature({ reason: `not a signature file: ${plain.problem}` }))
    : fromWire(plain.value)
}

/** The wire map, as Snowflake's `model.yaml` holds it under `signatures:`. */
export const toWire = (signatures: Signatures): Record<string, Signature.ModelSignatureWire> =>
  Object.fromEntries(Object.entries(signatures).map(([method, sig]) => [method, Signature.toWire(sig)]))

/** YAML text of `{signatures: …}` (or of the bare map with `{bare: true}`). */
export const stringify = (signatures: Signatures, options: { readonly bare?: boolean } = {}): string =>
  // No anchors: methods sharing one signature object are written out each in full, as plain YAML.
  Yaml.stringify(options.bare === true ? toWire(signatures) : { signatures: toWire(signatures) }, {
    lineWidth: 0,
    aliasDuplicateObjects: false
  })
