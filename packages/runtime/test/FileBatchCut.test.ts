/**
 * Batches of stage files bounded in bytes: the cut itself (consecutive ranges, never empty), and a real
 * replica over real files on a local stage whose batches are cut where their files pass
 * `max_batch_bytes` — with the same rows, in the same order, scored the same as in one batch.
 */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { LocalLayout, Signature } from "@runbatch/spec"
import { Exit } from "effect"
import { cutBySize } from "../src/FileBatchCut.ts"
import { results, runInProcess, stage, tempHome } from "./support.ts"

describe("cutBySize", () => {
  it("fills each range up to the bound, the bound itself included", () => {
    expect(cutBySize([300, 500, 200, 900, 100, 100], 1000)).toStrictEqual([
      [0, 3],
      [3, 5],
      [5, 6]
    ])
  })

  it("gives a row larger than the bound a range of its own, wherever it is", () => {
    expect(cutBySize([5000, 10, 20, 5000, 5000, 30], 100)).toStrictEqual([
      [0, 1],
      [1, 3],
      [3, 4],
      [4, 5],
      [5, 6]
    ])
  })

  it("keeps rows that read nothing with their neighbours, and cuts nothing that fits", () => {
    expect(cutBySize([0, 0, 100, 0, 0], 100)).toStrictEqual([[0, 5]])
    expect(cutBySize([1, 2, 3], 2 ** 40)).toStrictEqual([[0, 3]])
  })

  it("gives no range for no rows", () => {
    expect(cutBySize([], 100)).toStrictEqual([])
  })
})

describe("a replica over stage files", () => {
  // File sizes in input order; with a bound of 1,000 bytes the batches are rows 0–2 (1,000 bytes),
  // 3–4 (1,000), 5 (100: the next file alone passes the bound), 6 (1,500: larger than the bound, alone),
  // 7–9 (850), 10–12 (410, the missing file counting as nothing). `batch_rows` is what the engine got:
  // row 12 fails before it (no such file), so its batch reaches the engine with two rows.
  const sizes = [300, 500, 200, 900, 100, 100, 1500, 50, 400, 400, 400, 10]
  const expectedBatchRows = [3n, 3n, 3n, 2n, 2n, 1n, 1n, 3n, 3n, 3n, 2n, 2n, null]
  const signature = Signature.signature(
    [Signature.feature("image", "BYTES")],
    [Signature.feature("bytes", "INT64"), Signature.feature("batch_rows", "INT64")]
  )

  it("cuts a batch where its files pass max_batch_bytes; the output is the one an uncut batch gives", async () => {
    const home = tempHome()
    const stageDir = LocalLayout.stageDir(home, { database: "ML", schema: "PUBLIC", stage: "IMAGES" })
    mkdirSync(stageDir, { recursive: true })
    sizes.forEach((size, i) => {
      writeFileSync(
        join(stageDir, `image_${i}.bin`),
        Uint8Array.from({ length: size }, (_, k) => (i * 31 + k) % 256)
      )
    })
    const rows = [...sizes.map((_, i) => `image_${i}.bin`), "missing.bin"].map((file, i) => ({
      ID: i,
      IMAGE: `@ML.PUBLIC.IMAGES/${file}`
    }))
    const job = (name: string, maxBatchBytes?: number) =>
      stage(home, {
        rows,
        columns: [Signature.feature("ID", "INT64"), Signature.feature("IMAGE", "STRING")],
        signature,
        columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } },
        onError: "record",
        maxBatchRows: 100,
        targetShards: 1,
        ...(maxBatchBytes === undefined ? {} : { maxBatchBytes }),
        output: `@ML.PUBLIC.RESULTS/${name}/`,
        jobName: `ML.PUBLIC.${name.toUpperCase()}`
      })
    const bounded = await job("bounded", 1000)
    const whole = await job("whole")
    expect(bounded.plan.batch.maxBatchBytes).toBe(1000)
    expect(whole.plan.batch.maxBatchBytes).toBeUndefined()
    for (const planned of [bounded, whole]) {
      expect(Exit.isSuccess((await runInProcess(home, planned)).exit)).toBe(true)
    }

    // Rows as the parts hold them (not sorted): their order is part of what must not change.
    const plain = async (name: string) =>
      (await results(home, `@ML.PUBLIC.RESULTS/${name}/`))
        .toArray()
        .map((row) => ({ ...(row as { toJSON(): Record<string, unknown> }).toJSON() }))
    const cut = await plain("bounded")
    const uncut = await plain("whole")
    expect(cut.map((row) => row["batch_rows"])).toStrictEqual(expectedBatchRows)
    expect(uncut.map((row) => row["batch_rows"])).toStrictEqual(rows.map((_, i) => (i === 12 ? null : 12n)))
    const scored = (table: ReadonlyArray<Record<string, unknown>>) =>
      table.map(({ batch_rows: _, ...rest }) => rest)
    expect(scored(cut)).toStrictEqual(scored(uncut))
    expect(cut.map((row) => row["ID"])).toStrictEqual(rows.map((row) => BigInt(row.ID)))
    expect(cut.map((row) => row["bytes"])).toStrictEqual([...sizes.map(BigInt), null])
    expect(cut.at(-1)!["_ERROR"]).toContain("@ML.PUBLIC.IMAGES/missing.bin does not exist")
  })
})
