/**
 * Image files for the files benchmarks: PNGs of random pixels, written by sharp into a stage folder.
 * Noise does not compress, so each file is as large as its pixels (591 × 591 RGB: about 1 MB), and
 * uncompressed PNG (deflate level 0) keeps writing a thousand of them to a couple of seconds.
 */
import { randomFillSync } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import sharp from "sharp"

/** 591 × 591 pixels × 3 channels ≈ 1 MB of pixels, and so of PNG. */
const SIDE = 591

/**
 * Write `count` noise PNGs named `image_<i>.png` into `folder` (created if need be); returns their
 * total size in bytes.
 */
export const writeNoiseImages = async (folder: string, count: number): Promise<number> => {
  mkdirSync(folder, { recursive: true })
  const pixels = Buffer.alloc(SIDE * SIDE * 3)
  let bytes = 0
  for (let i = 0; i < count; i++) {
    randomFillSync(pixels)
    const png = await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png({ compressionLevel: 0, adaptiveFiltering: false })
      .toBuffer()
    writeFileSync(join(folder, `image_${i}.png`), png)
    bytes += png.length
  }
  return bytes
}
