/**
 * The HTTP engines through the whole product: models logged with no artifact, jobs run by runBatch
 * (plan, supervisor, replica processes) against fake servers on 127.0.0.1, the chat-messages encoder
 * applied to `messages` without the user asking — and secrets read from environment variables found
 * nowhere on disk afterwards: not in the model's manifest, the plan, the output manifest, the logs or
 * the job record, whether the job succeeds or the server quotes the secret back in an error — nor
 * any eight characters of it, wherever a server puts it in a long error (around the cut of the
 * message's quote) or in a value: in the job's status, its logs, `_ERROR` with `on_error: record`,
 * the files of its home and what the CLI prints about it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Signature } from "@runbatch/spec"
import {
  ChatSignatures,
  FakeExternalFunctionServer,
  FakeOpenAiServer,
  plainRows,
  SecretLeaks
} from "@runbatch/testkit"
import { runCli } from "../cli.ts"
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
 * No file under home holds `secret` or any eight characters of it; among them are the model's
 * manifest, the output manifest, the job record and status, the supervisor's and replicas' logs, and
 * (once a job has failed: success removes it) a plan.
 */
const expectNowhere = (
  home: string,
  secret: string,
  { plan = true, output = true }: { readonly plan?: boolean; readonly output?: boolean } = {}
) => {
  const files = everyFile(home)
  const kinds = [
    "MANIFEST.yml",
    "job.json",
    "status.json",
    "supervisor.log",
    "replica-0.log",
    ...(output ? ["_manifest.json"] : []),
    ...(plan ? ["plan.json"] : [])
  ]
  for (const kind of kinds)
    expect(
      files.some((f) => f.path.endsWith(kind)),
      kind
    ).toBe(true)
  expect(
    files.filter((f) => SecretLeaks.leaksOf(f.text, secret).length > 0).map((f) => f.path),
    `files holding part of ${secret}`
  ).toEqual([])
}

/**
 * A failed job says nothing of `secret`: not its status message, its logs, the files of its home, nor
 * what `runbatch jobs status`, `jobs logs` and `jobs wait` print (stdout and stderr).
 */
const expectFailedKeeping = async (
  home: string,
  job: Awaited<ReturnType<ReturnType<typeof localSession>["runBatch"]>>,
  secret: string,
  says: string,
  output = false
) => {
  expect(await job.status()).toBe("FAILED")
  const message = (await job.describe()).message
  expect(message).toContain(says)
  expect(SecretLeaks.leaksOf(message, secret), message).toEqual([])
  expect(SecretLeaks.leaksOf(await job.getLogs(), secret)).toEqual([])
  expectNowhere(home, secret, { output })
  for (const command of [["status"], ["logs"], ["wait"]]) {
    const cli = await runCli(home, ["--database", "ML", "--schema", "PUBLIC", "jobs", ...command, job.name])
    expect(cli.code, `jobs ${command[0]}`).toBe(command[0] === "wait" ? 1 : 0)
    expect(SecretLeaks.leaksOf(`${cli.stdout}${cli.stderr}`, secret), `jobs ${command[0]}`).toEqual([])
  }
  expect(
    (await runCli(home, ["--database", "ML", "--schema", "PUBLIC", "jobs", "status", job.name])).stdout
  ).toContain(says)
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
    expectNowhere(home, TOKEN, { plan: false })

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

  it("keeps a header secret a server quotes around the cut of an error, or answers as a value, off the job's status, logs, files and CLI", async () => {
    const home = tempHome()
    const session = localSession(home)
    const rows = [{ ID: 0, TEXT: "a" }]
    const columns = [Signature.feature("ID", "INT64"), Signature.feature("TEXT", "STRING")]
    // A 400 quoting the header as it came ("Bearer <token>") with the token across the cut of the
    // message's quote (300 characters); then an INT64 output answered with text holding the token
    // across the cut of the value's quote (60).
    const quoting = await FakeExternalFunctionServer.start({
      faults: [{ kind: "answer", status: 400, body: SecretLeaks.quoting(`Bearer ${TOKEN}`, 280) }]
    })
    const valuing = await FakeExternalFunctionServer.start({
      compute: () => `${"-".repeat(35)} Bearer ${TOKEN}`
    })
    try {
      for (const [server, name, says] of [
        [quoting, "QUOTED", "answered 400 to a request of 1 rows: ---"],
        [valuing, "VALUED", "the server's value for length is not an integer"]
      ] as const) {
        await session.registry.logModel({
          name: `SCORER_${name}`,
          version: "V1",
          engine: "custom-http",
          artifacts: [],
          signatures: { score: scorerSignature },
          engineOptions: {
            url: `${server.url}/score`,
            headers: { Authorization: { env: "RUNBATCH_TEST_SCORER_TOKEN", prefix: "Bearer " } }
          }
        })
        const job = await session.runBatch({
          model: `SCORER_${name}`,
          input: session.createDataFrame(rows, columns),
          outputSpec: { stageLocation: `@ML.PUBLIC.RESULTS/${name.toLowerCase()}/` },
          jobSpec: { jobName: `SCORE_${name}`, numWorkers: 1, block: true },
          cpus: 1
        })
        await expectFailedKeeping(home, job, TOKEN, says)
      }
    } finally {
      await quoting.close()
      await valuing.close()
    }
  })

  it("keeps the API key a server quotes in refused rows (offsets 270–330 of 600) or answers as values out of _ERROR, RowFailed, logs and files", async () => {
    const home = tempHome()
    const session = localSession(home)
    const offsets = Array.from({ length: 61 }, (_, i) => 270 + i)
    const values = [KEY, ...Array.from({ length: 30 }, (_, i) => `${"-".repeat(40 + i)} ${KEY}`)]
    const server = await FakeOpenAiServer.start({
      faults: [
        ...offsets.map((at) => ({
          kind: "answer" as const,
          status: 400,
          matching: `offset ${at}.`,
          body: SecretLeaks.quoting(`Bearer ${KEY}`, at)
        })),
        ...values.map((value, i) => ({
          kind: "answer" as const,
          status: 200,
          matching: `value ${i}.`,
          body: JSON.stringify({ id: "x", object: "chat.completion", created: value, choices: [] })
        }))
      ]
    })
    try {
      await session.registry.logModel({
        name: "CHAT",
        version: "V1",
        engine: "vllm",
        artifacts: [],
        signatures: { __call__: ChatSignatures.chatWithParams() },
        engineOptions: { base_url: server.url, model: "fake-model", api_key_env: "RUNBATCH_TEST_LLM_KEY" }
      })
      const prompts = [...offsets.map((at) => `offset ${at}.`), ...values.map((_, i) => `value ${i}.`)]
      const input = (texts: ReadonlyArray<string>) =>
        session.createDataFrame(
          texts.map((p, i) => ({ N: i, MESSAGES: JSON.stringify([{ role: "user", content: p }]) })),
          [Signature.feature("N", "INT64"), Signature.feature("MESSAGES", "STRING")]
        )
      // on_error: record — every row fails alone, its error in _ERROR.
      const recorded = await session.runBatch({
        model: "CHAT",
        input: input(prompts),
        outputSpec: { stageLocation: "@ML.PUBLIC.RESULTS/recorded/" },
        jobSpec: { jobName: "CHAT_RECORDED", numWorkers: 1, block: true, onError: "record" },
        cpus: 1
      })
      if ((await recorded.status()) !== "DONE") console.log((await recorded.describe()).message)
      expect(await recorded.status()).toBe("DONE")
      const out = plainRows(await session.readResults("@ML.PUBLIC.RESULTS/recorded/"), "N")
      const errors = out.map((r) => String(r["_ERROR"]))
      expect(
        errors.slice(0, offsets.length).every((e) => e.includes("the server refused the row (400): ---"))
      ).toBe(true)
      expect(errors.slice(offsets.length).every((e) => e.includes("value for created is not a number"))).toBe(
        true
      )
      expect(errors.filter((e) => SecretLeaks.leaksOf(e, KEY).length > 0)).toEqual([])
      expect(SecretLeaks.leaksOf(await recorded.getLogs(), KEY)).toEqual([])
      expectNowhere(home, KEY, { plan: false })

      // on_error: fail — the first such row fails the job (RowFailed), saying nothing of the key.
      for (const [prompt, says] of [
        ["offset 290.", "the server refused the row (400): ---"],
        ["value 12.", "value for created is not a number"]
      ] as const) {
        const failed = await session.runBatch({
          model: "CHAT",
          input: input([prompt]),
          outputSpec: { stageLocation: `@ML.PUBLIC.RESULTS/failed-${prompt.replace(/\W/g, "")}/` },
          jobSpec: {
            jobName: `CHAT_FAILED_${prompt.replace(/\W/g, "").toUpperCase()}`,
            numWorkers: 1,
            block: true
          },
          cpus: 1
        })
        await expectFailedKeeping(home, failed, KEY, says, true)
        expect((await failed.describe()).message).toContain("RowFailed")
      }
    } finally {
      await server.close()
    }
  })
})
