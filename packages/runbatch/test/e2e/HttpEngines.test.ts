/**
 * The HTTP engines through the whole product: models logged with no artifact, jobs run by runBatch
 * (plan, supervisor, replica processes) against fake servers on 127.0.0.1, the chat-messages encoder
 * applied to `messages` without the user asking — and secrets read from environment variables found
 * nowhere on disk afterwards: not in the model's manifest, the plan, the output manifest, the logs or
 * the job record, whether the job succeeds or the server quotes the secret back in an error.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Signature } from "@runbatch/spec"
import { ChatSignatures, FakeExternalFunctionServer, FakeOpenAiServer, plainRows } from "@runbatch/testkit"
import { localSession, tempHome } from "../support.ts"

const TOKEN = "tok-secret-9c2d41e7b0"
const KEY = "sk-secret-4f1a8e6d22"
process.env["RUNBATCH_TEST_SCORER_TOKEN"] = TOKEN
process.env["RUNBATCH_TEST_LLM_KEY"] = KEY

const scorer = await FakeExternalFunctionServer.start({
  compute: "length",
  requireHeaders: { authorization: `Bearer ${TOKEN}` }
})
const llm = await FakeOpenAiServer.start({ apiKey: KEY })
afterAll(async () => {
  await scorer.close()
  await llm.close()
})

/** Every file under `dir`, as text. */
const everyFile = (dir: string): Array<{ path: string; text: string }> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? everyFile(path) : [{ path, text: readFileSync(path, "latin1") }]
  })

/**
 * No file under home holds `secret`; among them are the model's manifest, the output manifest, the job
 * record and status, and (once a job has failed: success removes it) a plan.
 */
const expectNowhere = (home: string, secret: string, plan = true) => {
  const files = everyFile(home)
  const kinds = ["MANIFEST.yml", "_manifest.json", "job.json", "status.json", ...(plan ? ["plan.json"] : [])]
  for (const kind of kinds)
    expect(
      files.some((f) => f.path.endsWith(kind)),
      kind
    ).toBe(true)
  expect(files.filter((f) => f.text.includes(secret)).map((f) => f.path)).toEqual([])
}

const scorerSignature = Signature.signature(
  [Signature.feature("text", "STRING")],
  [Signature.feature("length", "INT64")]
)

describe("HTTP engines through runBatch", () => {
  it("runs a custom-http model logged without artifacts; its header secret is on no file", async () => {
    const home = tempHome()
    const session = localSession(home)
    await session.registry.logModel({
      name: "SCORER",
      version: "V1",
      engine: "custom-http",
      artifacts: [],
      signatures: { score: scorerSignature },
      engineOptions: {
        url: `${scorer.url}/score`,
        headers: { Authorization: { env: "RUNBATCH_TEST_SCORER_TOKEN", prefix: "Bearer " } }
      }
    })
    const rows = Array.from({ length: 50 }, (_, i) => ({ ID: i, TEXT: "x".repeat(i) }))
    const job = await session.runBatch({
      model: "SCORER",
      input: session.createDataFrame(rows, [
        Signature.feature("ID", "INT64"),
        Signature.feature("TEXT", "STRING")
      ]),
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/scores/" },
      jobSpec: { jobName: "SCORE_OK", numWorkers: 1, block: true },
      cpus: 1
    })
    if ((await job.status()) !== "DONE") console.log((await job.describe()).message, await job.getLogs())
    expect(await job.status()).toBe("DONE")
    const table = await session.readResults("@ML.PUBLIC.RESULTS/scores/")
    const out = table
      .toArray()
      .map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON())
      .sort((a, b) => Number(a["ID"]) - Number(b["ID"]))
    expect(out.map((r) => Number(r["length"]))).toEqual(rows.map((_, i) => i))
    expect(JSON.stringify(await job.getLogs())).not.toContain(TOKEN)
    expectNowhere(home, TOKEN, false)

    // The server quotes the header it got in its 401: the job fails, and the secret is still nowhere.
    const job2 = await session.runBatch({
      model: "SCORER",
      input: session.createDataFrame(rows.slice(0, 5), [
        Signature.feature("ID", "INT64"),
        Signature.feature("TEXT", "STRING")
      ]),
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/scores-2/" },
      jobSpec: { jobName: "SCORE_BAD", numWorkers: 1, block: true },
      inferenceEngineOptions: {
        options: { headers: { Authorization: { env: "RUNBATCH_TEST_SCORER_TOKEN", prefix: "Token " } } }
      },
      cpus: 1
    })
    expect(await job2.status()).toBe("FAILED")
    const message = (await job2.describe()).message
    expect(message).toContain("refused the request (401)")
    expect(message).toContain("got ***")
    expect(message).not.toContain(TOKEN)
    expect(JSON.stringify(await job2.getLogs())).not.toContain(TOKEN)
    expectNowhere(home, TOKEN)
  })

  it("runs a vllm model with chat-messages applied to `messages` by itself; the API key is on no file", async () => {
    const home = tempHome()
    const session = localSession(home)
    await session.registry.logModel({
      name: "CHAT",
      version: "V1",
      engine: "vllm",
      artifacts: [],
      signatures: { __call__: ChatSignatures.chatWithParams() },
      engineOptions: { base_url: llm.url, model: "fake-model", api_key_env: "RUNBATCH_TEST_LLM_KEY" }
    })
    const prompts = ["first question", "second question", "third"]
    const job = await session.runBatch({
      model: "CHAT",
      input: session.createDataFrame(
        prompts.map((p, i) => ({ N: i, MESSAGES: JSON.stringify([{ role: "user", content: p }]) })),
        [Signature.feature("N", "INT64"), Signature.feature("MESSAGES", "STRING")]
      ),
      inputSpec: { params: { temperature: 0.1 } },
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/chat/" },
      jobSpec: { jobName: "CHAT_1", numWorkers: 1, block: true },
      cpus: 1
    })
    if ((await job.status()) !== "DONE") console.log((await job.describe()).message, await job.getLogs())
    expect(await job.status()).toBe("DONE")
    const out = plainRows(await session.readResults("@ML.PUBLIC.RESULTS/chat/"), "N")
    expect(
      out.map((r) => (r["choices"] as Array<{ message: { content: string } }>)[0]!.message.content)
    ).toEqual(prompts.map((p) => `echo: ${p}`))
    // The engine's token counts reach the job's progress, summed over the rows' usage.
    const usage = out.map((r) => r["usage"] as { prompt_tokens: number; completion_tokens: number })
    expect((await job.progress()).metrics).toEqual({
      prompt_tokens: usage.reduce((n, u) => n + u.prompt_tokens, 0),
      completion_tokens: usage.reduce((n, u) => n + u.completion_tokens, 0),
      http_retries: 0
    })
    expect(usage.every((u) => u.prompt_tokens > 0 && u.completion_tokens > 0)).toBe(true)
    expect(JSON.stringify(await job.getLogs())).not.toContain(KEY)

    // A key the server does not take, which it quotes back: the job fails, its plan stays, and
    // neither key is on any file.
    process.env["RUNBATCH_TEST_LLM_WRONG_KEY"] = "sk-wrong-7d0c3b9e51"
    const job2 = await session.runBatch({
      model: "CHAT",
      input: session.createDataFrame(
        [{ N: 0, MESSAGES: JSON.stringify([{ role: "user", content: "hi" }]) }],
        [Signature.feature("N", "INT64"), Signature.feature("MESSAGES", "STRING")]
      ),
      outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/chat-2/" },
      jobSpec: { jobName: "CHAT_2", numWorkers: 1, block: true },
      inferenceEngineOptions: { options: { api_key_env: "RUNBATCH_TEST_LLM_WRONG_KEY" } },
      cpus: 1
    })
    expect(await job2.status()).toBe("FAILED")
    expect((await job2.describe()).message).toContain("Invalid API key in header: Bearer ***")
    expectNowhere(home, "sk-wrong-7d0c3b9e51")
    expectNowhere(home, KEY)
    expectNowhere(home, KEY)
  })
})
