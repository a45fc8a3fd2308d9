/**
 * The conformance suite every engine runs, first-party or third-party: call it from a test file of the
 * plugin's package with a request its `prepare` accepts and a sample batch, and it registers vitest
 * tests for the contract the runtime relies on.
 *
 * ```ts
 * engineConformance({ packageJson: new URL("../package.json", import.meta.url), engine, request, batch })
 * ```
 */
import { readFileSync } from "node:fs"
import { type Arrow, type Engine, Manifest, type PrepareRequest } from "@runbatch/plugin-api"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as EngineRun from "./EngineRun.ts"

export interface EngineConformanceOptions {
  readonly packageJson: URL | string
  readonly engine: Engine
  /** A request `prepare` accepts (signature, options, params, artifacts). */
  readonly request: PrepareRequest
  /** A sample input batch, columns named as the signature's input features. */
  readonly batch: Arrow.RecordBatch
  /** Stage files the engine reads (artifacts), stage location → bytes. */
  readonly files?: ReadonlyMap<string, Uint8Array>
}

export const engineConformance = (options: EngineConformanceOptions): void => {
  const manifest = Effect.runSync(
    Manifest.fromPackageJson(JSON.parse(readFileSync(options.packageJson, "utf8")))
  )
  const run = { ...(options.files === undefined ? {} : { files: options.files }) }
  const prepare = () => Effect.runPromise(EngineRun.prepare(options.engine, options.request, run))
  const infer = (batch: Arrow.RecordBatch) =>
    Effect.runPromise(EngineRun.infer(options.engine, options.request, batch, run))

  describe(`engine conformance: ${manifest.id}`, () => {
    it("has an engine manifest that matches its default export", () => {
      expect(manifest.kind).toBe("engine")
      expect(options.engine.kind).toBe("engine")
      expect(options.engine.id).toBe(manifest.id)
      expect(options.engine.apiVersion).toBe(manifest.apiVersion)
    })

    it("prepares an output schema naming every output", async () => {
      const prepared = await prepare()
      expect(prepared.outputSchema.length).toBeGreaterThan(0)
      for (const feature of prepared.outputSchema) expect(feature.name).not.toBe("")
    })

    it("returns one output row per input row, with the prepared columns", async () => {
      const { prepared, result } = await infer(options.batch)
      expect(result.outputs.numRows).toBe(options.batch.numRows)
      const names = result.outputs.schema.fields.map((f) => f.name.toUpperCase())
      for (const feature of prepared.outputSchema) expect(names).toContain(feature.name.toUpperCase())
      for (const error of result.rowErrors ?? []) {
        expect(error.row).toBeGreaterThanOrEqual(0)
        expect(error.row).toBeLessThan(options.batch.numRows)
      }
    })

    it("handles an empty batch", async () => {
      const empty = options.batch.slice(0, 0)
      const { result } = await infer(empty)
      expect(result.outputs.numRows).toBe(0)
    })

    it("gives the same outputs for the same batch (deterministic)", async () => {
      const first = await infer(options.batch)
      const second = await infer(options.batch)
      const values = (batch: Arrow.RecordBatch) =>
        batch.schema.fields.map((f) =>
          JSON.stringify([...batch.getChild(f.name)!], (_k, v) => (typeof v === "bigint" ? String(v) : v))
        )
      expect(values(second.result.outputs)).toEqual(values(first.result.outputs))
    })
  })
}
