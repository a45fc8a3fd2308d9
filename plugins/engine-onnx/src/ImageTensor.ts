/**
 * Images to a model's input tensor with sharp: decode, resize (to a fixed size, or to the model's height
 * keeping the aspect ratio when it takes variable widths, then padded to the widest image of the
 * batch) with the chosen kernel, reorder channels (RGB or BGR, or one gray channel) and layout (NCHW or
 * NHWC), scale, subtract the mean and divide by the standard deviation. Decoding runs on libuv's
 * threads, several images at once.
 */
import * as ort from "onnxruntime-node"
import sharp from "sharp"
import { channelCount } from "./ImageBinding.ts"
import type { ImageOptions } from "./OnnxOptions.ts"

interface Decoded {
  readonly pixels: Buffer
  readonly width: number
  readonly height: number
}

const decode = async (bytes: Uint8Array, options: ImageOptions): Promise<Decoded> => {
  // Gray is libvips' luminance of the sRGB image: one channel, 0-255.
  const image = sharp(bytes, { failOn: "error" })
    .removeAlpha()
    .toColourspace(options.channels === "gray" ? "b-w" : "srgb")
  let width = options.width
  if (width === undefined) {
    const meta = await sharp(bytes).metadata()
    const ratio = (meta.width ?? options.height) / Math.max(1, meta.height ?? options.height)
    width = Math.max(
      1,
      Math.min(options.max_width ?? Number.POSITIVE_INFINITY, Math.round(options.height * ratio))
    )
  }
  const { data, info } = await image
    .resize(width, options.height, {
      fit: options.fit ?? "fill",
      background: { r: 0, g: 0, b: 0 },
      kernel: options.kernel ?? "lanczos3"
    })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { pixels: data, width: info.width, height: info.height }
}

export interface ImageBatch {
  readonly tensor: ort.Tensor
  /** Rows whose bytes could not be decoded, with why. */
  readonly failures: ReadonlyArray<{ readonly row: number; readonly message: string }>
}

/** `images[i]` is the bytes of row i (null rows and failures are left as padding). */
export const imageTensor = async (
  images: ReadonlyArray<Uint8Array | null>,
  options: ImageOptions
): Promise<ImageBatch> => {
  const failures: Array<{ row: number; message: string }> = []
  const decoded = await Promise.all(
    images.map(async (bytes, row) => {
      if (bytes === null) return null
      try {
        return await decode(bytes, options)
      } catch (error) {
        failures.push({ row, message: `the image cannot be decoded: ${(error as Error).message}` })
        return null
      }
    })
  )
  const height = options.height
  const width = options.width ?? Math.max(1, ...decoded.map((d) => d?.width ?? 1))
  const scale = options.scale ?? 1
  const mean = options.mean ?? [0, 0, 0]
  const std = options.std ?? [1, 1, 1]
  const pad = options.pad_value ?? 0
  const nchw = (options.layout ?? "nchw") === "nchw"
  const bgr = options.channels === "bgr"
  const channels = channelCount(options)
  const plane = height * width
  const out = new Float32Array(images.length * channels * plane).fill(pad)
  decoded.forEach((image, n) => {
    if (image === null) return
    const base = n * channels * plane
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const source = (y * image.width + x) * channels
        for (let c = 0; c < channels; c++) {
          const channel = bgr ? 2 - c : c
          const value =
            (image.pixels[source + channel]! * scale - mean[c % mean.length]!) / std[c % std.length]!
          out[nchw ? base + c * plane + y * width + x : base + (y * width + x) * channels + c] = value
        }
      }
    }
  })
  const dims = nchw ? [images.length, channels, height, width] : [images.length, height, width, channels]
  return { tensor: new ort.Tensor("float32", out, dims), failures }
}
