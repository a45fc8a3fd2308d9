/**
 * Params against the PARAMS model's ParamSpecs (temperature FLOAT, max_tokens INT64, top_k INT8,
 * greedy BOOL, stop STRING[-1], window INT64[2], grid DOUBLE[-1, 2], since TIMESTAMP_NTZ, and a dict
 * `config` {seed INT64, sampling {top_p FLOAT}}): every rule of the original, no silent conversion.
 */
import { type Case, cli, run, runLine } from "../Case.ts"

const params = (
  id: string,
  input: string,
  given: Record<string, unknown>,
  tag: string,
  message: string | RegExp,
  model = "PARAMS"
): Case => run(id, input, { model, inputSpec: { params: given } }, tag, message)

export const paramCases: ReadonlyArray<Case> = [
  params(
    "params-not-accepted",
    "params for a method that declares none",
    { temperature: 0.2 },
    "ParamsNotAccepted",
    "Parameters were provided ('temperature')",
    "LINEAR"
  ),
  params(
    "params-duplicate-case",
    "temperature and TEMPERATURE together",
    { temperature: 0.1, TEMPERATURE: 0.2 },
    "DuplicateParams",
    "temperature"
  ),
  params(
    "params-unknown",
    "a misspelt param (temprature)",
    { temprature: 0.2 },
    "UnknownParams",
    "temprature"
  ),
  params(
    "params-unknown-suggests",
    "an unknown param gets the closest name",
    { max_token: 5 },
    "UnknownParams",
    "max_tokens"
  ),
  params(
    "param-int-as-text",
    'max_tokens "100" (text for an int)',
    { max_tokens: "100" },
    "InvalidParamValue",
    '"100" (type: string)'
  ),
  params(
    "param-int-as-bool",
    "max_tokens true (a bool for an int)",
    { max_tokens: true },
    "InvalidParamValue",
    "true (type: boolean)"
  ),
  params(
    "param-int-as-float",
    "max_tokens 1.5",
    { max_tokens: 1.5 },
    "InvalidParamValue",
    "1.5 (type: number)"
  ),
  params(
    "param-int8-range",
    "top_k 300 (beyond INT8)",
    { top_k: 300 },
    "InvalidParamValue",
    "out of range for INT8"
  ),
  params(
    "param-int-unsafe",
    "max_tokens 2^60 as a bigint",
    { max_tokens: 2n ** 60n },
    "InvalidParamValue",
    "beyond ±2^53"
  ),
  params(
    "param-float-as-text",
    'temperature "hot"',
    { temperature: "hot" },
    "InvalidParamValue",
    '"hot" (type: string)'
  ),
  params(
    "param-float-as-bool",
    "temperature false",
    { temperature: false },
    "InvalidParamValue",
    "Expected int or float"
  ),
  params("param-bool-as-int", "greedy 1", { greedy: 1 }, "InvalidParamValue", "Expected true or false"),
  params(
    "param-bool-as-text",
    'greedy "true"',
    { greedy: "true" },
    "InvalidParamValue",
    '"true" (type: string)'
  ),
  params(
    "param-array-for-scalar",
    "temperature [0.1]",
    { temperature: [0.1] },
    "InvalidParamValue",
    "expected a scalar value, got an array"
  ),
  params(
    "param-scalar-for-list",
    'stop "." (a scalar for STRING[-1])',
    { stop: "." },
    "InvalidParamValue",
    "expected 1-dimensional"
  ),
  params(
    "param-list-of-ints-for-strings",
    "stop [1, 2]",
    { stop: [1, 2] },
    "InvalidParamValue",
    "Expected a string"
  ),
  params(
    "param-wrong-length",
    "window [1, 2, 3] for INT64[2]",
    { window: [1, 2, 3] },
    "InvalidParamValue",
    "dimension 0: expected 2, got 3"
  ),
  params(
    "param-ragged",
    "grid [[1, 2], [3]] (ragged)",
    { grid: [[1, 2], [3]] },
    "InvalidParamValue",
    "is ragged"
  ),
  params(
    "param-inner-length",
    "grid [[1, 2, 3]] for DOUBLE[-1, 2]",
    { grid: [[1, 2, 3]] },
    "InvalidParamValue",
    "dimension 1: expected 2, got 3"
  ),
  params(
    "param-timestamp-text",
    'since "yesterday"',
    { since: "yesterday" },
    "InvalidParamValue",
    '"yesterday"'
  ),
  params(
    "param-timestamp-zone",
    'since "2026-01-31T12:00:00Z" (with a zone)',
    { since: "2026-01-31T12:00:00Z" },
    "InvalidParamValue",
    "without time zone"
  ),
  params(
    "param-dict-not-object",
    'config "fast"',
    { config: "fast" },
    "InvalidParamValue",
    "expected a dict (an object)"
  ),
  params(
    "param-dict-list",
    "config [1] (a list for a dict)",
    { config: [1] },
    "InvalidParamValue",
    "expected a dict"
  ),
  params(
    "param-dict-unknown-key",
    "config {sead: 1}",
    { config: { sead: 1 } },
    "InvalidParamValue",
    "Unknown key(s) 'sead' in parameter 'config'"
  ),
  params(
    "param-dict-duplicate-keys",
    "config {seed: 1, SEED: 2}",
    { config: { seed: 1, SEED: 2 } },
    "InvalidParamValue",
    "duplicate case-insensitive keys 'seed' and 'SEED'"
  ),
  params(
    "param-dict-nested-type",
    'config.sampling.top_p "high"',
    { config: { sampling: { top_p: "high" } } },
    "InvalidParamValue",
    "config.sampling.top_p"
  ),
  cli(
    "cli-param-quoted-int",
    '--param max_tokens="100" (JSON text for an int)',
    runLine({ "--model": "PARAMS" }, ["--param", 'max_tokens="100"']),
    "InvalidParamValue",
    "max_tokens",
    { realCli: true }
  ),
  cli(
    "cli-param-unknown",
    "--param temprature=0.2",
    runLine({ "--model": "PARAMS" }, ["--param", "temprature=0.2"]),
    "UnknownParams",
    "temprature"
  ),
  cli(
    "cli-param-word-for-float",
    "--param temperature=hot (not JSON: text)",
    runLine({ "--model": "PARAMS" }, ["--param", "temperature=hot"]),
    "InvalidParamValue",
    '"hot"'
  )
]
