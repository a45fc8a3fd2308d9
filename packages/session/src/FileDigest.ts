/**
 * A file's size and sha256, read once in large slices. DuckDB's `COPY … TO` writes staged input
 * straight to its file and the digest is taken after: reading back from the page cache costs about
 * 0.3 s per 400 MB here, where hashing the bytes on their way through a named pipe slowed the
 * multi-threaded COPY itself by 1–1.5 s (docs/performance.md, materialize).
 */
import { createHash } from "node:crypto"
import { open } from "node:fs/promises"
import { LocalFileError } from "@runbatch/spec"
import { Effect } from "effect"

export interface FileDigest {
  readonly bytes: number
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string
}

/** Bytes read per call: few calls, and a buffer small beside any staged file. */
const SLICE_BYTES = 4 * 1024 * 1024

export const fileDigest = (path: string): Effect.Effect<FileDigest, LocalFileError> =>
  Effect.tryPromise({
    try: async () => {
      const handle = await open(path, "r")
      try {
        const hash = createHash("sha256")
        const slice = Buffer.allocUnsafe(SLICE_BYTES)
        let bytes = 0
        for (;;) {
          const { bytesRead } = await handle.read(slice, 0, SLICE_BYTES, null)
          if (bytesRead === 0) break
          hash.update(slice.subarray(0, bytesRead))
          bytes += bytesRead
        }
        return { bytes, sha256: hash.digest("hex") }
      } finally {
        await handle.close()
      }
    },
    catch: (error) =>
      new LocalFileError({ path, reason: error instanceof Error ? error.message : String(error) })
  })
