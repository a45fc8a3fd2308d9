/**
 * The options of `logModel`, checked before anything is read or written: every problem at once
 * (engine id, methods, function kinds, artifact names) as InvalidSpec, then the method names as
 * Snowflake compares them, the signatures, and that each artifact is a local file.
 */
import { basename } from "node:path"
import { InvalidSignature, InvalidSpec, Signature } from "@runbatch/spec"
import { Effect } from "effect"
import { statLocalFile } from "./LocalFiles.ts"
import type { LogModelOptions } from "./ModelRegistry.ts"

const ENGINE_ID = /^[a-z0-9][a-z0-9._-]*$/
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
// A single path segment that reads the same in a snow://model location: no separators, no percent
// signs (they would read as encodings), no control characters, and no leading dot.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const ARTIFACT_NAME = /^[^./\\%\u0000-\u001f\u007f][^/\\%\u0000-\u001f\u007f]*$/

/** Every problem with the options at once, before anything is read or written. */
export const checkOptions = Effect.fn("ModelRegistry.checkOptions")(function* (
  options: LogModelOptions,
  engine: string
) {
  const problems: Array<{ readonly path: string; readonly message: string }> = []
  if (!ENGINE_ID.test(engine)) {
    problems.push({
      path: "engine",
      message: `"${options.engine}" is not an engine plugin id (lower case letters, digits, '.', '_' or '-', e.g. "onnx").`
    })
  }
  const methods = Object.keys(options.signatures)
  if (methods.length === 0) {
    problems.push({ path: "signatures", message: "a version needs at least one method signature." })
  }
  for (const [method, kind] of Object.entries(options.functionKinds ?? {})) {
    if (!methods.includes(method)) {
      problems.push({
        path: `functionKinds.${method}`,
        message: `names a method without a signature (methods: ${methods.join(", ")}).`
      })
    } else if (kind !== "FUNCTION" && kind !== "TABLE_FUNCTION") {
      problems.push({
        path: `functionKinds.${method}`,
        message: `must be FUNCTION or TABLE_FUNCTION, got "${kind}".`
      })
    }
  }
  const artifacts: Array<{ readonly name: string; readonly path: string }> = []
  for (const [i, artifact] of (options.artifacts ?? []).entries()) {
    const entry = typeof artifact === "string" ? { name: basename(artifact), path: artifact } : artifact
    if (!ARTIFACT_NAME.test(entry.name)) {
      problems.push({
        path: `artifacts[${i}]`,
        message: `"${entry.name}" cannot name an artifact: use a plain file name (no '/', '\\', '%', control characters or leading dot).`
      })
    } else if (artifacts.some((a) => a.name === entry.name)) {
      problems.push({
        path: `artifacts[${i}]`,
        message: `two artifacts are named "${entry.name}"; give one another name with {name, path}.`
      })
    }
    artifacts.push(entry)
  }
  if (problems.length > 0) return yield* new InvalidSpec({ spec: "logModel options", problems })

  // Method names become SQL function names and must be told apart case-insensitively, as in
  // Snowflake ("Found duplicate method named resolved as …").
  const seen = new Map<string, string>()
  for (const method of methods) {
    if (!METHOD_NAME.test(method)) {
      return yield* new InvalidSignature({
        reason: `the method name "${method}" must be a Python-style identifier (letters, digits, _; not starting with a digit).`,
        path: method
      })
    }
    const other = seen.get(method.toUpperCase())
    if (other !== undefined) {
      return yield* new InvalidSignature({
        reason: `Found duplicate method named resolved as ${method.toUpperCase()} ("${other}", "${method}"); method names are compared case-insensitively.`,
        path: method
      })
    }
    seen.set(method.toUpperCase(), method)
  }
  for (const [method, sig] of Object.entries(options.signatures)) yield* Signature.validate(sig, method)
  for (const artifact of artifacts) yield* statLocalFile(artifact.path)
  return artifacts
})
