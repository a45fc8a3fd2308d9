/**
 * The emulator's own bookkeeping in its home (`<home>/emulator/`: users' keys, minted tokens, compute
 * pools and job services): small JSON files, each replaced whole through a temporary file so a reader
 * — another process on the same home — never sees half of one.
 */
import { randomBytes } from "node:crypto"
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"

export const emulatorFolder = (home: string): string => join(home, "emulator")

/** A JSON file's value, or `fallback` when there is no file yet. */
export const readJson = async <A>(path: string, fallback: A): Promise<A> => {
  try {
    return JSON.parse(await readFile(path, "utf8")) as A
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback
    throw error
  }
}

/** Write through a temporary file, so a reader never sees half a file; `mode` for secrets. */
export const writeJson = async (path: string, value: unknown, mode: number): Promise<void> => {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode })
  await chmod(temporary, mode)
  await rename(temporary, path)
}
