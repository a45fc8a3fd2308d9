import type { Benchmark } from "../benchmark.ts"

/** The fake server's fixed latency, the requests kept in flight and the rows in each request. */
const LATENCY_SECONDS = 0.05
const IN_FLIGHT = 64
/** The limited run: a fifth of the requests answered 429 with Retry-After: 1. */
const LIMITED = { kind: "429" as const, probability: 0.2, retryAfterSeconds: 1 }
const ROWS_PER_REQUEST = 16
const BOUND_REQUESTS = IN_FLIGHT / LATENCY_SECONDS

/**
 * A scoring job through the custom-http engine against the testkit's external-function server (its
 * own process) answering every batch after a fixed 50 ms: 16 rows per request, 64 requests in flight,
 * so the most any client can reach is 1280 requests (20,480 rows) per second — the reference. A second
 * run has a fifth of the requests answered 429 (Retry-After: 1) and checks every row comes back once.
 */
export const customHttp: Benchmark = {
  name: "custom-http",
  reference: "the concurrency bound: 64 requests in flight / 50 ms latency = 1280 requests/s (× 16 rows)",
  description: "external-function batches of 16 rows, 64 in flight, fake server at a fixed 50 ms",
  run: async ({ quick }) => {
    const { plainRows } = await import("@runbatch/testkit")
    const { Signature } = await import("@runbatch/spec")
    const { expectEachRowOnce, httpFigures, runHttpJob, runHttpJobs } = await import("../http/http-job.ts")

    const scoreJob = (
      rows: number,
      faults: ReadonlyArray<{ kind: "429"; probability: number; retryAfterSeconds: number }>
    ) => ({
      server: {
        kind: "external-function" as const,
        options: { latencyMillis: LATENCY_SECONDS * 1000, compute: "length" as const, faults, seed: 5 }
      },
      job: (url: string) => ({
        rows: Array.from({ length: rows }, (_, i) => ({
          N: i,
          TEXT: `customer review number ${i}`,
          X: i * 0.5
        })),
        columns: [
          Signature.feature("N", "INT64"),
          Signature.feature("TEXT", "STRING"),
          Signature.feature("X", "DOUBLE")
        ],
        signature: Signature.signature(
          [Signature.feature("text", "STRING"), Signature.feature("x", "DOUBLE")],
          [Signature.feature("length", "INT64")]
        ),
        engine: "custom-http",
        engineOptions: { url: `${url}/score`, concurrency: IN_FLIGHT, rows_per_request: ROWS_PER_REQUEST },
        plugins: [],
        numWorkers: 1,
        targetShards: 2
      }),
      check: (table: Parameters<typeof plainRows>[0]) => {
        const out = plainRows(table, "N")
        expectEachRowOnce(out, "N", rows)
        out.forEach((row, i) => {
          if (Number(row["length"]) !== `customer review number ${i}`.length)
            throw new Error(`row ${i} has the answer of another row`)
        })
      }
    })

    const requests = quick ? 2560 : 19_200
    const run = await runHttpJobs((n) => scoreJob(n, []), requests * ROWS_PER_REQUEST)
    const limited = await runHttpJob(scoreJob((quick ? 160 : 640) * ROWS_PER_REQUEST, [LIMITED]))
    return {
      rows: run.rows,
      seconds: run.seconds,
      referenceRowsPerSecond: BOUND_REQUESTS * ROWS_PER_REQUEST,
      extra: {
        rowsPerRequest: ROWS_PER_REQUEST,
        ...httpFigures(run, limited, {
          inFlight: IN_FLIGHT,
          boundRequestsPerSecond: BOUND_REQUESTS,
          fault: LIMITED
        })
      }
    }
  }
}
