/**
 * A fake model server speaking Snowflake's external-function JSON batch format on 127.0.0.1:
 * `POST {"data": [[row, arg1, …], …]}` → `{"data": [[row, value], …]}`, one answer per row, same row
 * numbers, same order — real HTTP, with FakeHttp's latency and faults, and three faults of its own that
 * break the row-number contract (`wrong-index`, `duplicate-index`, `missing-row`).
 *
 * What it computes (`compute`): `echo` (the single argument, or the list of them), `sum` (of numeric
 * arguments), `object` (`{"args": [...], "count": n}`), `length` (characters of the first argument);
 * or, in-process, any function of the arguments. `requireHeaders` makes it answer 401 to requests that
 * lack them — quoting what it got, so tests can check clients never print secrets.
 */
import { type FakeServer, type FakeServerOptions, json, type Reply, startFakeServer } from "./FakeHttp.ts"

export type Compute = "echo" | "sum" | "object" | "length" | ((args: ReadonlyArray<unknown>) => unknown)

export interface FakeExternalFunctionOptions extends FakeServerOptions {
  readonly compute?: Compute
  /** Header name → value every request must carry. */
  readonly requireHeaders?: Readonly<Record<string, string>>
}

const builtIn = (compute: Compute): ((args: ReadonlyArray<unknown>) => unknown) => {
  if (typeof compute === "function") return compute
  switch (compute) {
    case "echo":
      return (args) => (args.length === 1 ? args[0] : args)
    case "sum":
      return (args) => args.reduce<number>((sum, a) => sum + (typeof a === "number" ? a : 0), 0)
    case "object":
      return (args) => ({ args, count: args.length })
    case "length":
      return (args) => (typeof args[0] === "string" ? args[0].length : null)
  }
}

/** Start the server; `close()` it when done. */
export const start = (options: FakeExternalFunctionOptions = {}): Promise<FakeServer> => {
  const compute = builtIn(options.compute ?? "echo")
  return startFakeServer(options, (request): Reply => {
    for (const [name, value] of Object.entries(options.requireHeaders ?? {})) {
      const got = request.headers[name.toLowerCase()]
      if (got !== value) return json(401, { message: `missing or wrong header ${name}: got ${String(got)}` })
    }
    if (request.method !== "POST") return json(405, { message: "POST a batch" })
    if (request.headers["sf-external-function-format"] !== "json")
      return json(400, { message: "sf-external-function-format must be json" })
    let rows: Array<Array<unknown>>
    try {
      const body = JSON.parse(request.body) as { data?: unknown }
      if (!Array.isArray(body.data)) throw new Error("no data")
      rows = body.data as Array<Array<unknown>>
    } catch {
      return json(400, { message: 'the body must be {"data": [[row, ...args], ...]}' })
    }
    let answers = rows.map((row) => [row[0], compute(row.slice(1))])
    switch (request.fault?.kind) {
      case "wrong-index":
        answers = answers.map(([i, v]) => [Number(i) + 1, v])
        break
      case "duplicate-index":
        if (answers.length > 1)
          answers[answers.length - 1] = [answers[0]![0], answers[answers.length - 1]![1]]
        break
      case "missing-row":
        answers = answers.slice(0, -1)
        break
    }
    return json(200, { data: answers })
  })
}
