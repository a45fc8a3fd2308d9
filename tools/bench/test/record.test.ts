import { describe, expect, it } from "@effect/vitest"
import { formatRow, renderPerformanceSection } from "../src/performance-table.ts"
import { toRecord } from "../src/record.ts"

const machine = { date: "2026-11-25", nodeVersion: "v20.20.2", cpuModel: "Test CPU", cores: 2 }
const benchmark = { name: "gbdt", reference: "onnxruntime-node, same batches" } as const

describe("toRecord", () => {
  it("derives rows/s and the ratio to the reference, keys in the documented order", () => {
    const record = toRecord(
      benchmark,
      { rows: 1_000_000, seconds: 4, referenceRowsPerSecond: 200_000, extra: { batchSize: 4096 } },
      64 * 2 ** 20
    )
    expect(record).toEqual({
      name: "gbdt",
      reference: "onnxruntime-node, same batches",
      rows: 1_000_000,
      seconds: 4,
      rowsPerSecond: 250_000,
      referenceRowsPerSecond: 200_000,
      ratio: 1.25,
      peakRssBytes: 64 * 2 ** 20,
      extra: { batchSize: 4096 }
    })
    expect(Object.keys(JSON.parse(JSON.stringify(record)))).toEqual([
      "name",
      "reference",
      "rows",
      "seconds",
      "rowsPerSecond",
      "referenceRowsPerSecond",
      "ratio",
      "peakRssBytes",
      "extra"
    ])
  })

  it("always has an extra object", () => {
    expect(toRecord(benchmark, { rows: 1, seconds: 1, referenceRowsPerSecond: 1 }, 0).extra).toEqual({})
  })

  it("refuses results that would make the figures meaningless", () => {
    expect(() => toRecord(benchmark, { rows: 10, seconds: 0, referenceRowsPerSecond: 1 }, 0)).toThrow(
      "benchmark gbdt returned seconds = 0; it must be a finite number > 0"
    )
    expect(() => toRecord(benchmark, { rows: Number.NaN, seconds: 1, referenceRowsPerSecond: 1 }, 0)).toThrow(
      "rows = NaN"
    )
    expect(() => toRecord(benchmark, { rows: 1, seconds: 1, referenceRowsPerSecond: 0 }, 0)).toThrow(
      "referenceRowsPerSecond = 0"
    )
  })
})

describe("the performance table", () => {
  const record = toRecord(
    { name: "custom-http", reference: "fetch | JSON" },
    { rows: 1_234_567, seconds: 2.5, referenceRowsPerSecond: 400_000 },
    150.25 * 2 ** 20
  )

  it("formats numbers for people", () => {
    expect(formatRow(record)).toEqual([
      "custom-http",
      "fetch \\| JSON",
      "1,234,567",
      "2.500",
      "493,827",
      "400,000",
      "1.23",
      "150.3"
    ])
  })

  it("renders a markdown table with the machine it was measured on", () => {
    expect(renderPerformanceSection([record], machine)).toBe(
      [
        "| benchmark | reference | rows | seconds | rows/s | reference rows/s | ratio | peak RSS MiB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| custom-http | fetch \\| JSON | 1,234,567 | 2.500 | 493,827 | 400,000 | 1.23 | 150.3 |",
        "",
        "Last run on 2026-11-25 with Node v20.20.2 on Test CPU (2 cores)."
      ].join("\n")
    )
  })

  it("says so when no benchmark is registered", () => {
    expect(renderPerformanceSection([], machine)).toBe(
      "No benchmarks are registered yet (see tools/bench/README.md).\n\n" +
        "Last run on 2026-11-25 with Node v20.20.2 on Test CPU (2 cores)."
    )
  })
})
