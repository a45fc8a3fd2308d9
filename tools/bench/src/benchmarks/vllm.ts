import type { Benchmark } from "../benchmark.ts"

/** The fake server's fixed latency and the requests kept in flight: the bound is their ratio. */
const LATENCY_SECONDS = 0.05
const IN_FLIGHT = 64
/** The limited run: a fifth of the requests answered 429 with Retry-After: 1. */
const LIMITED = { kind: "429" as const, probability: 0.2, retryAfterSeconds: 1 }
const BOUND = IN_FLIGHT / LATENCY_SECONDS

/**
 * An LLM job through the vllm engine against the testkit's OpenAI-compatible server (its own process)
 * answering every request after a fixed 50 ms: one request per row, 64 in flight, so the most any
 * client can reach is 64 / 0.05 s = 1280 requests per second — the reference. The ratio is the share of
 * that bound the whole replica achieves (plan, parquet in and out, the chat-messages encoder, the
 * engine). A second run has a fifth of the requests answered 429 (Retry-After: 1) and checks that
 * every row still comes back exactly once.
 */
export const vllm: Benchmark = {
  name: "vllm",
  reference: "the concurrency bound: 64 requests in flight / 50 ms latency = 1280 requests/s",
  description: "chat completions, one request per row, 64 in flight, fake server at a fixed 50 ms",
  run: async ({ quick }) => {
    const { ChatSignatures, plainRows } = await import("@runbatch/testkit")
    const { Signature } = await import("@runbatch/spec")
    const { expectEachRowOnce, httpFigures, runHttpJob, runHttpJobs } = await import("../http/http-job.ts")

    const chatJob = (
      rows: number,
      faults: ReadonlyArray<{ kind: "429"; probability: number; retryAfterSeconds: number }>
    ) => ({
      server: {
        kind: "openai" as const,
        options: { latencyMillis: LATENCY_SECONDS * 1000, faults, seed: 3 }
      },
      job: (url: string) => ({
        rows: Array.from({ length: rows }, (_, i) => ({
          N: i,
          MESSAGES: JSON.stringify([
            { role: "system", content: "Answer in one word." },
            { role: "user", content: `What is item ${i} of the catalogue?` }
          ])
        })),
        columns: [Signature.feature("N", "INT64"), Signature.feature("MESSAGES", "STRING")],
        signature: ChatSignatures.chatWithParams(),
        params: { temperature: 0, max_completion_tokens: 16 },
        engine: "vllm",
        engineOptions: { base_url: url, model: "fake-model", concurrency: IN_FLIGHT },
        plugins: [],
        numWorkers: 1,
        targetShards: 2
      }),
      check: (table: Parameters<typeof plainRows>[0]) => {
        const out = plainRows(table, "N")
        expectEachRowOnce(out, "N", rows)
        out.forEach((row, i) => {
          const content = (row["choices"] as Array<{ message: { content: string } }>)[0]?.message.content
          if (content !== `echo: What is item ${i} of the catalogue?`)
            throw new Error(`row ${i} has the answer of another row: ${content}`)
        })
      }
    })

    const rows = quick ? 2560 : 19_200
    const run = await runHttpJobs((n) => chatJob(n, []), rows)
    const limited = await runHttpJob(chatJob(quick ? 320 : 2560, [LIMITED]))
    return {
      rows: run.rows,
      seconds: run.seconds,
      referenceRowsPerSecond: BOUND,
      extra: {
        ...httpFigures(run, limited, { inFlight: IN_FLIGHT, boundRequestsPerSecond: BOUND, fault: LIMITED }),
        promptTokens: run.progress?.type === "progress" ? run.progress.metrics["prompt_tokens"] : undefined
      }
    }
  }
}
