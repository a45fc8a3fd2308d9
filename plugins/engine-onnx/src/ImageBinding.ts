/**
 * The `image` option's input: the graph's 4-D input (or the one `image.input` names), checked at plan
 * time against what the option decodes — channels (3 for rgb and bgr, 1 for gray) on the layout's
 * channel axis, and the height and width wherever the graph fixes them — so a 1-channel model fed
 * colour images is refused before anything is staged, not by onnxruntime's "Got invalid dimensions"
 * in every replica.
 */
import type { Signature } from "@runbatch/spec"
import { Effect } from "effect"
import { describeShape, fail, findFeature, type TensorMeta } from "./GraphTensor.ts"
import type { ImageOptions } from "./OnnxOptions.ts"

export interface ImageInput {
  readonly kind: "image"
  readonly input: string
  readonly feature: string
  readonly image: ImageOptions
}

/** Channels the option decodes to. */
export const channelCount = (image: ImageOptions): number => (image.channels === "gray" ? 1 : 3)

/** Where channels, height and width sit in a 4-D input of either layout. */
const axesOf = (layout: "nchw" | "nhwc") =>
  layout === "nchw" ? { channels: 1, height: 2, width: 3 } : { channels: 3, height: 1, width: 2 }

/** Why the graph's declared sizes refuse what the option decodes, and what would feed it. */
const sizeProblem = (input: TensorMeta, image: ImageOptions): [string, string] | undefined => {
  const shape = input.shape ?? []
  const layout = image.layout ?? "nchw"
  const axes = axesOf(layout)
  const declared = `the ONNX input "${input.name}" is declared ${describeShape(shape)} (${layout})`
  if (shape.length !== 4)
    return [`${declared}, and an image input has 4 dimensions.`, "Name the image input with image.input."]
  if (typeof shape[0] === "number" && shape[0] !== 1)
    return [
      `${declared}: exactly ${shape[0]} images per call, and a batch job's last batch cannot make them up.`,
      `Export the model with a dynamic batch dimension (torch.onnx.export(..., dynamic_axes={"${input.name}": {0: "batch"}})).`
    ]
  const channels = shape[axes.channels]
  const decoded = channelCount(image)
  if (typeof channels === "number" && channels !== decoded) {
    const other = axesOf(layout === "nchw" ? "nhwc" : "nchw")
    const fix =
      channels === 1
        ? "channels: gray feeds it (one channel of luminance)."
        : channels === 3
          ? "channels: rgb (or bgr, as the model was trained) feeds it."
          : shape[other.channels] === decoded
            ? `layout: ${layout === "nchw" ? "nhwc" : "nchw"} feeds it: the graph's ${decoded}-channel axis is its ${other.channels === 1 ? "second" : "last"}.`
            : `no image option feeds ${channels} channels; runbatch decodes 1 (gray) or 3 (rgb, bgr).`
    return [
      `${declared}: ${channels} channel(s) per image, and the image option decodes ${decoded} (channels: ${image.channels ?? "rgb"}).`,
      `Set image.${fix}`
    ]
  }
  const height = shape[axes.height]
  if (typeof height === "number" && height !== image.height)
    return [
      `${declared}: images ${height} pixels high, and the image option resizes to height ${image.height}.`,
      `Set image.height: ${height}.`
    ]
  const width = shape[axes.width]
  if (typeof width === "number" && width !== image.width)
    return [
      `${declared}: images ${width} pixels wide, and the image option ${image.width === undefined ? "keeps each image's aspect ratio (no width)" : `resizes to width ${image.width}`}.`,
      `Set image.width: ${width}.`
    ]
  return undefined
}

export const bindImage = (
  image: ImageOptions,
  features: ReadonlyArray<Signature.Feature>,
  graph: ReadonlyArray<TensorMeta>
) =>
  Effect.gen(function* () {
    const feature = findFeature(features, image.feature)
    if (feature === undefined || "specs" in feature || feature.dtype !== "BYTES") {
      return yield* fail(
        `the image option names the feature "${image.feature}", which is not a BYTES feature of the signature.`,
        "Image features hold the file's bytes: declare them BYTES and add column handling raw_bytes for a column of stage paths."
      )
    }
    const candidates = graph.filter((g) => (g.shape ?? []).length === 4)
    const input =
      image.input === undefined
        ? candidates.length === 1
          ? candidates[0]
          : undefined
        : graph.find((g) => g.name === image.input)
    if (input === undefined) {
      return yield* fail(
        image.input === undefined
          ? `the image option needs the 4-D image input of the graph; found ${candidates.length}.`
          : `the graph has no input "${image.input}".`,
        "Name it with image.input."
      )
    }
    const problem = sizeProblem(input, image)
    if (problem !== undefined) return yield* fail(...problem)
    return { kind: "image", input: input.name, feature: feature.name, image } satisfies ImageInput
  })
