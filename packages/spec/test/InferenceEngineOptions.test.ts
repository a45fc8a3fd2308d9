import { describe, expect, it } from "@effect/vitest"
import { InferenceEngineOptions } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

type Form = "ts" | "wire"
const argsKey = (form: Form) => (form === "ts" ? "engineArgsOverride" : "engine_args_override")

describe.each(["ts", "wire"] as const)("InferenceEngineOptions.decode (%s form)", (form: Form) => {
  const args = argsKey(form)
  const accepted: ReadonlyArray<readonly [string, unknown, InferenceEngineOptions.InferenceEngineOptions]> = [
    ["nothing", undefined, {}],
    ["an empty object", {}, {}],
    ["vllm", { engine: "vllm" }, { engine: "vllm" }],
    ["VLLM (case-insensitive)", { engine: "VLLM" }, { engine: "vllm" }],
    ["vLLM", { engine: "vLLM" }, { engine: "vllm" }],
    ["PYTHON_GENERIC", { engine: "PYTHON_GENERIC" }, { engine: "python_generic" }],
    ["a plugin engine", { engine: "custom-http" }, { engine: "custom-http" }],
    [
      "engine args",
      { engine: "vllm", [args]: ["--max-model-len=4096", "--gpu-memory-utilization"] },
      { engine: "vllm", engineArgsOverride: ["--max-model-len=4096", "--gpu-memory-utilization"] }
    ],
    [
      "a blocked name as a prefix of a longer option",
      { engine: "vllm", [args]: ["--hostname-check=off", "--portable"] },
      { engine: "vllm", engineArgsOverride: ["--hostname-check=off", "--portable"] }
    ],
    [
      "options",
      { engine: "custom-http", options: { base_url: "http://127.0.0.1:8000", concurrency: 4 } },
      { engine: "custom-http", options: { base_url: "http://127.0.0.1:8000", concurrency: 4 } }
    ]
  ]
  it.each(accepted)("accepts %s", (_, input, expected) => {
    expect(ok(InferenceEngineOptions.decode(input, form))).toStrictEqual(expected)
  })

  it("an argument without -- asks whether the prefix was forgotten", () => {
    const e = failsWith(
      InferenceEngineOptions.decode({ engine: "vllm", [args]: ["max-model-len=4096"] }, form),
      "InvalidSpec",
      `${args}[0]: The argument "max-model-len=4096" is not allowed`,
      "Maybe you forgot to add '--' prefix?"
    )
    expect(e.spec).toBe("inference engine options")
  })

  const blocked = [
    "--host",
    "--host=0.0.0.0",
    "--port=8000",
    "--port",
    "--allowed-headers=x",
    "--api-key=x",
    "--lora-modules=a=b",
    "--prompt-adapter",
    "--ssl-keyfile",
    "--ssl-keyfile=/k.pem",
    "--ssl-certfile=/c.pem",
    "--ssl-ca-certs=/ca.pem",
    "--enable-ssl-refresh",
    "--ssl-cert-reqs=2",
    "--root-path=/x",
    "--middleware=m",
    "--disable-frontend-multiprocessing",
    "--log-config-file=/l.json"
  ]
  it.each(blocked)("refuses the block-listed argument %s", (arg) => {
    const name = arg.split("=")[0]!
    failsWith(
      InferenceEngineOptions.decode({ engine: "vllm", [args]: ["--max-model-len=4096", arg] }, form),
      "InvalidSpec",
      `${args}[1]: The argument ${name} is set by runbatch`,
      "cannot be overridden"
    )
  })

  const rejected: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    [
      "args without engine",
      { [args]: ["--x"] },
      "engine: 'engine' field is required in inference_engine_options"
    ],
    [
      "options without engine",
      { options: { a: 1 } },
      "'engine' field is required in inference_engine_options"
    ],
    ["an empty engine", { engine: "" }, "engine: must not be empty"],
    ["a blank engine", { engine: "   " }, "engine: must not be empty"],
    ["args that are not a list", { engine: "vllm", [args]: "--x" }, `${args}: Expected array`],
    ["an unknown field", { engine: "vllm", engin_args: [] }, "engin_args: unknown field"]
  ]
  it.each(rejected)("rejects %s", (_, input, fragment) => {
    failsWith(InferenceEngineOptions.decode(input, form), "InvalidSpec", fragment)
  })

  it("an unknown field suggests this form's spelling", () => {
    const typo = form === "ts" ? "engineArgOverride" : "engine_arg_override"
    failsWith(
      InferenceEngineOptions.decode({ engine: "vllm", [typo]: [] }, form),
      "InvalidSpec",
      `${typo}: unknown field. Did you mean '${args}'?`
    )
  })
})

describe("InferenceEngineOptions.engineArgProblem", () => {
  const cases: ReadonlyArray<readonly [string, string | undefined]> = [
    ["--max-model-len=4096", undefined],
    ["--enforce-eager", undefined],
    ["-p", "Maybe you forgot to add '--' prefix?"],
    ["tensor-parallel-size=2", "Maybe you forgot to add '--' prefix?"],
    ["--api-key=secret", "The argument --api-key is set by runbatch"]
  ]
  it.each(cases)("engineArgProblem(%j)", (arg, fragment) => {
    const problem = InferenceEngineOptions.engineArgProblem(arg)
    if (fragment === undefined) expect(problem).toBeUndefined()
    else expect(problem).toContain(fragment)
  })

  it("the block-list is the original's 15 arguments", () => {
    expect(InferenceEngineOptions.BLOCKED_ENGINE_ARGS).toHaveLength(15)
  })
})
