/**
 * The engine options of an ONNX model version (in its user data, overridable per job):
 *
 * ```yaml
 * model: model.onnx            # the artifact holding the graph (default: the only .onnx artifact)
 * inputs:                      # ONNX input → feature(s); default: see ModelBinding
 *   float_input: [sepal_length, sepal_width, petal_length, petal_width]
 * outputs:                     # output feature → ONNX output; default: by name, else by position
 *   label: label
 * image:                       # decode a BYTES feature into an image tensor (sharp)
 *   feature: image
 *   height: 48
 *   width: 320                 # omit for variable width: resized to `height`, padded within a batch
 *   fit: fill                  # fill | contain | cover
 *   channels: bgr              # rgb | bgr | gray (one channel of luminance)
 *   layout: nchw               # nchw | nhwc
 *   scale: 0.00392156862745098 # multiply 0-255 values first (1/255)
 *   mean: [0.5, 0.5, 0.5]
 *   std: [0.5, 0.5, 0.5]
 *   kernel: lanczos3           # sharp's resize kernel: nearest | linear | cubic | mitchell | lanczos2 |
 *                              # lanczos3 | mks2013 | mks2021 (linear is not cv2's INTER_LINEAR)
 * postprocess:                 # output feature computed from an ONNX output
 *   text: {kind: ctc, source: softmax_11.tmp_0, vocabulary: ppocr_keys_v1.txt, append_space: true}
 *   label: {kind: argmax, source: probabilities, labels: labels.txt}
 * threads: 2                   # intra-op threads (default: the replica's CPU budget share)
 * batch_axis:                  # ONNX input → the dimension holding the rows (default: the first
 *   x: 1                       # symbolic one), for graphs such as [time, batch]
 * ```
 */
import { didYouMean, EnginePrepareError } from "@runbatch/spec"
import { Effect, Schema, SchemaIssue } from "effect"

const Feature = Schema.String.check(Schema.isNonEmpty())

export const ImageOptions = Schema.Struct({
  feature: Feature,
  input: Schema.optionalKey(Schema.String),
  height: Schema.Int.check(Schema.isGreaterThan(0)),
  width: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  max_width: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  fit: Schema.optionalKey(Schema.Literals(["fill", "contain", "cover"])),
  channels: Schema.optionalKey(Schema.Literals(["rgb", "bgr", "gray"])),
  layout: Schema.optionalKey(Schema.Literals(["nchw", "nhwc"])),
  scale: Schema.optionalKey(Schema.Number),
  mean: Schema.optionalKey(Schema.Array(Schema.Number).check(Schema.isMinLength(1))),
  std: Schema.optionalKey(Schema.Array(Schema.Number).check(Schema.isMinLength(1))),
  pad_value: Schema.optionalKey(Schema.Number),
  kernel: Schema.optionalKey(
    Schema.Literals(["nearest", "linear", "cubic", "mitchell", "lanczos2", "lanczos3", "mks2013", "mks2021"])
  )
})
export type ImageOptions = typeof ImageOptions.Type

export const Postprocess = Schema.Union([
  Schema.Struct({
    kind: Schema.Literal("argmax"),
    source: Schema.String,
    labels: Schema.optionalKey(Schema.String)
  }),
  Schema.Struct({
    kind: Schema.Literal("ctc"),
    source: Schema.String,
    vocabulary: Schema.String,
    blank: Schema.optionalKey(Schema.Int),
    append_space: Schema.optionalKey(Schema.Boolean)
  })
])
export type Postprocess = typeof Postprocess.Type

export const OnnxOptions = Schema.Struct({
  model: Schema.optionalKey(Schema.String),
  inputs: Schema.optionalKey(Schema.Record(Schema.String, Schema.Union([Feature, Schema.Array(Feature)]))),
  outputs: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  image: Schema.optionalKey(ImageOptions),
  postprocess: Schema.optionalKey(Schema.Record(Schema.String, Postprocess)),
  threads: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThan(0))),
  batch_axis: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)))
  )
})
export type OnnxOptions = typeof OnnxOptions.Type

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The option names allowed where a path's last key sits (top level, or inside `image`). */
const allowedAt = (path: ReadonlyArray<PropertyKey>): ReadonlyArray<string> =>
  path.length === 1
    ? Object.keys(OnnxOptions.fields)
    : path[0] === "image" && path.length === 2
      ? Object.keys(ImageOptions.fields)
      : []

/** The value the user wrote at a path, to quote it back. */
const valueAt = (options: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    options
  )

/** One problem in the user's words: a misspelt option gets its closest names, a bad value is quoted. */
const describeIssue = (options: unknown, path: ReadonlyArray<PropertyKey>, message: string): string => {
  const where = path.map(String).join(".") || "options"
  if (message === "Expected no excess property")
    return `${where}: unknown option.${didYouMean(String(path.at(-1)), allowedAt(path))}`
  const value = valueAt(options, path)
  return value === undefined || typeof value === "object"
    ? `${where}: ${message}`
    : `${where}: ${message}, got ${JSON.stringify(value)}`
}

/** Text ending as a sentence does, once. */
const sentence = (text: string) => (/[.?]$/.test(text) ? text : `${text}.`)

export const decode = (options: unknown): Effect.Effect<OnnxOptions, EnginePrepareError> =>
  Schema.decodeUnknownEffect(OnnxOptions)(options, { errors: "all", onExcessProperty: "error" }).pipe(
    Effect.mapError(
      (error) =>
        new EnginePrepareError({
          engine: "onnx",
          reason: sentence(
            `its engine options are invalid: ${formatter(error.issue)
              .issues.map((i) =>
                describeIssue(options, (i.path ?? []) as ReadonlyArray<PropertyKey>, i.message)
              )
              .join("; ")}`
          ),
          fix: "See docs/plugins/engine-onnx.md for the options."
        })
    )
  )
