import { describe, expect, it } from "@effect/vitest"
import { summarize } from "../src/JobProgress.ts"

const line = (
  rows: number,
  totalRows: number,
  rowsPerSecond: number,
  metrics: Record<string, number> = {}
) => ({
  rows,
  totalRows,
  shardsDone: 1,
  shards: 2,
  rowsPerSecond,
  errors: 1,
  metrics
})

describe("summarize", () => {
  it("sums the replicas' latest lines and estimates the time left", () => {
    expect(
      summarize(
        {
          replicas: {
            "0": line(100, 0, 50, { prompt_tokens: 900, http_retries: 1 }),
            "1": line(300, 0, 150, { prompt_tokens: 2700 })
          }
        },
        { rows: 1000, shards: 8 }
      )
    ).toEqual({
      rows: 400,
      resumedRows: 0,
      totalRows: 1000,
      shardsDone: 2,
      shards: 8,
      rowsPerSecond: 200,
      errors: 2,
      etaSeconds: 3,
      metrics: { prompt_tokens: 3600, http_retries: 1 }
    })
  })

  it("takes totals from the replicas when the request gave none", () => {
    expect(summarize({ replicas: { "0": line(500, 500, 10), "1": line(500, 500, 10) } }, null)).toMatchObject(
      {
        rows: 1000,
        totalRows: 1000,
        shards: 4,
        etaSeconds: 0
      }
    )
  })

  it("reads progress written before replicas reported metrics", () => {
    const { metrics: _, ...old } = line(10, 10, 1)
    expect(summarize({ replicas: { "0": old } }, null).metrics).toEqual({})
  })

  it("counts the rows of shards earlier attempts committed, which lines before them did not carry", () => {
    const resumed = { ...line(800, 500, 40), resumedRows: 600 }
    expect(summarize({ replicas: { "0": resumed, "1": line(200, 500, 10) } }, null)).toMatchObject({
      rows: 1000,
      resumedRows: 600,
      etaSeconds: 0
    })
  })

  it("has no estimate before any rate is known", () => {
    expect(summarize(undefined, { rows: 10, shards: 1 })).toEqual({
      rows: 0,
      resumedRows: 0,
      totalRows: 10,
      shardsDone: 0,
      shards: 1,
      rowsPerSecond: 0,
      errors: 0,
      etaSeconds: null,
      metrics: {}
    })
  })
})
