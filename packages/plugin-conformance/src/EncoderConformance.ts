/**
 * The conformance suite every encoder runs, first-party or third-party: call it from a test file of
 * the plugin's package and it registers vitest tests that check the contract the runtime relies on.
 *
 * ```ts
 * import encoder from "../src/index.ts"
 * encoderConformance({ packageJson: new URL("../package.json", import.meta.url), encoder, files })
 * ```
 */
import { readFileSync } from "node:fs"
import { Arrow, type Encoder, Manifest } from "@runbatch/plugin-api"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as MemoryStage from "./MemoryStage.ts"

export interface EncoderConformanceOptions {
  /** The plugin's package.json (its URL or path): the manifest is checked against the code. */
  readonly packageJson: URL | string
  /** The plugin's default export. */
  readonly encoder: Encoder
  /** Sample files (stage location → bytes) the suite encodes; at least one. */
  readonly files: ReadonlyMap<string, Uint8Array>
  /** Options passed to `open` (default none). */
  readonly options?: Readonly<Record<string, unknown>>
  /**
   * The column value that names a file (default: the location itself). An encoder whose input refers
   * to files inside richer values (chat messages with image parts) builds them here.
   */
  readonly value?: (location: string) => string
}

/** The Arrow type a manifest's `outputType` promises, by its type id. */
const expectedTypeId: Readonly<Record<string, Arrow.Type>> = {
  BYTES: Arrow.Type.Binary,
  STRING: Arrow.Type.Utf8,
  DOUBLE: Arrow.Type.Float,
  FLOAT: Arrow.Type.Float,
  BOOL: Arrow.Type.Bool,
  INT8: Arrow.Type.Int,
  INT16: Arrow.Type.Int,
  INT32: Arrow.Type.Int,
  INT64: Arrow.Type.Int,
  UINT8: Arrow.Type.Int,
  UINT16: Arrow.Type.Int,
  UINT32: Arrow.Type.Int,
  UINT64: Arrow.Type.Int,
  TIMESTAMP_NTZ: Arrow.Type.Timestamp,
  OBJECT: Arrow.Type.Struct
}

export const encoderConformance = (options: EncoderConformanceOptions): void => {
  const packageJson = JSON.parse(readFileSync(options.packageJson, "utf8")) as unknown
  const manifest = Effect.runSync(Manifest.fromPackageJson(packageJson))
  const locations = [...options.files.keys()]
  const missing = `${locations[0]!.slice(0, locations[0]!.lastIndexOf("/") + 1)}does-not-exist.bin`

  const cellOf = options.value ?? ((location: string) => location)
  const columnOf = (rows: ReadonlyArray<string | null>) =>
    Arrow.vectorFromArray(
      rows.map((row) => (row === null ? null : cellOf(row))),
      new Arrow.Utf8()
    )
  const encode = (column: Arrow.Vector, inputFormat: string, convertTo: string) =>
    Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(options.encoder.open({ options: (options.options ?? {}) as never }), (instance) =>
          instance.encode(column, { column: "FILE_PATH", inputFormat, convertTo })
        )
      ).pipe(Effect.provide(MemoryStage.host(options.files)))
    )

  describe(`encoder conformance: ${manifest.id}`, () => {
    it("has an encoder manifest that matches its default export", () => {
      expect(manifest.kind).toBe("encoder")
      expect(options.encoder.kind).toBe("encoder")
      expect(options.encoder.id).toBe(manifest.id)
      expect(options.encoder.apiVersion).toBe(manifest.apiVersion)
    })

    if (manifest.kind !== "encoder") return
    for (const handle of manifest.handles) {
      describe(`${handle.inputFormat} → ${handle.convertTo}`, () => {
        it("returns one value per row, of the declared type, nulls kept", async () => {
          const rows = [...locations, null, locations[0]!]
          const result = await encode(columnOf(rows), handle.inputFormat, handle.convertTo)
          expect(result.vector.length).toBe(rows.length)
          expect(result.vector.type.typeId).toBe(expectedTypeId[handle.outputType])
          expect(result.rowErrors).toEqual([])
          expect(result.vector.get(locations.length)).toBeNull()
          for (let row = 0; row < rows.length; row++) {
            if (rows[row] !== null) expect(result.vector.get(row)).not.toBeNull()
          }
        })

        it("fails only the row of a missing file, naming its path", async () => {
          const rows = [locations[0]!, missing, locations[0]!]
          const result = await encode(columnOf(rows), handle.inputFormat, handle.convertTo)
          expect(result.vector.length).toBe(3)
          expect(result.vector.get(1)).toBeNull()
          expect(result.vector.get(0)).not.toBeNull()
          expect(result.rowErrors).toHaveLength(1)
          expect(result.rowErrors[0]!.row).toBe(1)
          expect(result.rowErrors[0]!.message).toContain(missing)
        })

        it("encodes an empty batch to an empty column", async () => {
          const result = await encode(columnOf([]), handle.inputFormat, handle.convertTo)
          expect(result.vector.length).toBe(0)
          expect(result.rowErrors).toEqual([])
        })

        it("gives the same output for the same input (deterministic)", async () => {
          const values = columnOf(locations)
          const first = await encode(values, handle.inputFormat, handle.convertTo)
          const second = await encode(values, handle.inputFormat, handle.convertTo)
          expect([...second.vector]).toEqual([...first.vector])
        })
      })
    }
  })
}
