/** Job files (`runbatch run -f FILE`) that are not valid YAML/JSON or do not describe a job. */
import { type Case, cli } from "../Case.ts"

const valid = `model: ML.PUBLIC.LINEAR
source:
  table: ML.PUBLIC.POINTS
output:
  stage_location: "{output}"
name: "{job}"
`

/** A job file case: `content` is written as `name` and run with the test engine's plugin. */
const jobFile = (
  id: string,
  input: string,
  content: string | Uint8Array,
  message: string | RegExp,
  options: {
    readonly name?: string
    readonly tag?: string
    readonly extra?: ReadonlyArray<string>
    readonly realCli?: true
  } = {}
): Case => {
  const name = options.name ?? "job.yaml"
  return cli(
    id,
    input,
    ["run", "-f", `{file:${name}}`, "--plugin", "{testEngine}", ...(options.extra ?? [])],
    options.tag ?? "InvalidJobFile",
    message,
    { files: { [name]: content }, ...(options.realCli === undefined ? {} : { realCli: true }) }
  )
}

/** The valid job with `from` replaced by `to`. */
const edited = (from: string, to: string): string => {
  if (!valid.includes(from)) throw new Error(`the job file has no ${from}`)
  return valid.replace(from, to)
}

const aliasBomb = [
  "a: &a [x, x, x, x, x, x, x, x, x, x]",
  ...Array.from({ length: 8 }, (_, i) => {
    const prev = String.fromCharCode(97 + i)
    const next = String.fromCharCode(98 + i)
    return `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`
  }),
  "model: LINEAR"
].join("\n")

export const jobFiles: ReadonlyArray<Case> = [
  jobFile(
    "job-file-yaml-syntax",
    "a job file with an unclosed flow mapping",
    "model: LINEAR\nsource: {table: POINTS\noutput:\n  stage_location: x\n",
    /line \d+, column \d+/,
    { realCli: true }
  ),
  jobFile(
    "job-file-json-syntax",
    "a JSON job file with a missing comma",
    '{"model": "LINEAR" "source": {"table": "POINTS"}}',
    "line 1",
    { name: "job.json" }
  ),
  jobFile("job-file-empty", "an empty job file", "", "a job file is a mapping"),
  jobFile("job-file-list", "a job file holding a list", "- model: LINEAR\n", "a job file is a mapping"),
  jobFile("job-file-scalar", "a job file holding one word", "LINEAR\n", "a job file is a mapping"),
  jobFile(
    "job-file-duplicate-key",
    "a job file with model given twice",
    `${valid}model: ML.PUBLIC.MULTI\n`,
    /Map keys must be unique/i
  ),
  jobFile(
    "job-file-no-source",
    "a job file without source",
    edited("source:\n  table: ML.PUBLIC.POINTS\n", ""),
    "source"
  ),
  jobFile(
    "job-file-no-output",
    "a job file without output",
    edited('output:\n  stage_location: "{output}"\n', ""),
    "output"
  ),
  jobFile("job-file-no-model", "a job file without model", edited("model: ML.PUBLIC.LINEAR\n", ""), "model"),
  jobFile(
    "job-file-two-sources",
    "a source with both table and query",
    edited("  table: ML.PUBLIC.POINTS\n", "  table: ML.PUBLIC.POINTS\n  query: SELECT 1\n"),
    "give only one of table, query, files and parquet (found table, query)"
  ),
  jobFile(
    "job-file-empty-source",
    "a source naming no input",
    edited("source:\n  table: ML.PUBLIC.POINTS\n", "source: {}\n"),
    "name the input with one of table, query, files"
  ),
  jobFile(
    "job-file-pattern-on-table",
    "a pattern on a table source",
    edited("  table: ML.PUBLIC.POINTS\n", "  table: ML.PUBLIC.POINTS\n  pattern: '.*'\n"),
    "pattern applies only to files or parquet sources"
  ),
  jobFile(
    "job-file-allow-empty-on-table",
    "allow_empty on a table source",
    edited("  table: ML.PUBLIC.POINTS\n", "  table: ML.PUBLIC.POINTS\n  allow_empty: true\n"),
    "allow_empty applies only to a files source"
  ),
  jobFile(
    "job-file-column-on-parquet",
    "a path column on a parquet source",
    edited("  table: ML.PUBLIC.POINTS\n", "  parquet: '@ML.PUBLIC.FILES/'\n  column: PATH\n"),
    "column applies only to a files source"
  ),
  jobFile(
    "job-file-bad-pattern",
    "a files source whose pattern is not a regular expression",
    edited("  table: ML.PUBLIC.POINTS\n", "  files: '@ML.PUBLIC.FILES/'\n  pattern: '(png'\n"),
    "not a valid regular expression"
  ),
  jobFile(
    "job-file-typo-top",
    "a misspelt top-level key (modle)",
    `${valid}modle: X\n`,
    "modle: unknown field. Did you mean 'model'?"
  ),
  jobFile(
    "job-file-typo-nested",
    "a misspelt output key (stage_locaton)",
    edited("stage_location", "stage_locaton"),
    "output.stage_locaton: unknown field"
  ),
  jobFile(
    "job-file-name-and-prefix",
    "a job file with name and name_prefix",
    `${valid}name_prefix: NIGHTLY\n`,
    "name and name_prefix are mutually exclusive"
  ),
  jobFile("job-file-replicas-text", 'replicas: "two"', `${valid}replicas: two\n`, "replicas"),
  jobFile(
    "job-file-replicas-zero",
    "replicas: 0",
    `${valid}replicas: 0\n`,
    "replicas must be a whole number of at least 1"
  ),
  jobFile(
    "job-file-on-error",
    "inference.on_error: maybe",
    `${valid}inference:\n  on_error: maybe\n`,
    "inference.on_error"
  ),
  jobFile(
    "job-file-engine-options-no-engine",
    "engine_options without engine",
    `${valid}inference:\n  engine_options:\n    options: {weights: [1, 1]}\n`,
    "'engine' field is required in inference_engine_options"
  ),
  jobFile(
    "job-file-memory",
    'resources.memory_requests: "8" (no unit)',
    `${valid}resources:\n  memory_requests: "8"\n`,
    "resources.memory_requests"
  ),
  jobFile(
    "job-file-mode",
    "output.mode: append",
    edited('"{output}"\n', '"{output}"\n  mode: append\n'),
    "output.mode"
  ),
  jobFile("job-file-version-number", "version: 1 (a number)", `${valid}version: 1\n`, "version"),
  jobFile(
    "job-file-model-bad-name",
    "a model name with a space",
    edited("model: ML.PUBLIC.LINEAR", "model: my model"),
    "model"
  ),
  jobFile(
    "job-file-alias-bomb",
    "a job file of nested YAML aliases (a billion laughs)",
    aliasBomb,
    "its aliases expand more than 100 times"
  ),
  jobFile(
    "job-file-unknown-alias",
    "a job file with an alias to an anchor never set",
    `${valid}version: *v1\n`,
    "Unresolved alias"
  ),
  jobFile(
    "job-file-alias-cycle",
    "a job file whose params alias themselves",
    `${valid}input:\n  params:\n    stop: &s [*s]\n`,
    "input.params.stop[0] is an alias inside its own anchor"
  ),
  jobFile(
    "job-file-tabs",
    "a job file indented with tabs",
    "model: LINEAR\nsource:\n\ttable: POINTS\n",
    /line \d+, column \d+/
  ),
  jobFile(
    "job-file-binary",
    "a job file of binary bytes",
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff, 0xfe, 0x1b, 0x5b, 0x00]),
    /line \d+, column \d+|a job file is a mapping/
  ),
  jobFile(
    "job-file-custom-tag",
    "a job file with a !!js/function tag",
    `${valid}block: !!js/function "function () { return true }"\n`,
    "block"
  ),
  cli(
    "job-file-missing",
    "a job file that does not exist",
    ["run", "-f", "{home}/inputs/no-such-job.yaml"],
    "UsageError",
    "cannot read the job file"
  ),
  jobFile("job-file-with-flags", "-f together with --replicas", valid, "leave out --replicas", {
    tag: "UsageError",
    extra: ["--replicas", "2"]
  })
]
