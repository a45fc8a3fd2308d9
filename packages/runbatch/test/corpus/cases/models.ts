/**
 * Models and versions: ones that do not exist, functions that are not there or not named, partitioning
 * a function that cannot be, engines refusing at plan time, and logging versions that are malformed or
 * already there.
 */
import { Signature } from "@runbatch/spec"
import { TestEngine } from "@runbatch/testkit"
import { type Case, call, cli, run, runLine } from "../Case.ts"

const f = Signature.feature
const log = (signatures: Record<string, Signature.ModelSignature>, extra: Record<string, unknown> = {}) => ({
  name: "NEWMODEL",
  version: "V1",
  engine: TestEngine.id,
  signatures,
  ...extra
})
const simple = Signature.signature([f("x", "DOUBLE")], [f("y", "DOUBLE")])
/** `model log` of NEWMODEL V1 on the test engine, its plugin not named. */
const logTestEngine = ["model", "log", "--name", "NEWMODEL", "--version", "V1", "--engine", "test-linear"]
const logCli = (extra: ReadonlyArray<string> = []) => [
  ...logTestEngine,
  "--plugin",
  "{testEngine}",
  "--signature",
  "{file:s.yaml}",
  ...extra
]

const simpleYaml = "predict:\n  inputs: [{name: x, type: DOUBLE}]\n  outputs: [{name: y, type: DOUBLE}]\n"
/** `model log` of an ONNX file, checked by the onnx engine before anything is written. */
const logOnnx = [
  "model",
  "log",
  "--name",
  "NEWMODEL",
  "--version",
  "V1",
  "--signature",
  "{file:s.yaml}",
  "--onnx"
]

export const models: ReadonlyArray<Case> = [
  run(
    "model-not-found",
    "a model that is not in the registry",
    { model: "LINAER" },
    "ModelNotFound",
    "LINAER"
  ),
  run(
    "model-not-found-other-schema",
    "a model qualified with a schema that does not have it",
    { model: "ML.OTHER.LINEAR" },
    "ModelNotFound",
    "ML.OTHER.LINEAR"
  ),
  run(
    "model-not-found-quoted-case",
    'a quoted model name in the wrong case ("linear")',
    { model: '"linear"' },
    "ModelNotFound",
    "linear"
  ),
  cli(
    "model-default-missing",
    "model default of a version that does not exist",
    ["model", "default", "LINEAR", "V9"],
    "ModelVersionNotFound",
    "V9"
  ),
  cli(
    "model-rm-neither",
    "model rm without --version or --all",
    ["model", "rm", "LINEAR"],
    "UsageError",
    "--all"
  ),
  cli(
    "cli-model-not-found",
    "--model of a model that does not exist",
    runLine({ "--model": "NOPE" }),
    "ModelNotFound",
    "NOPE"
  ),
  run(
    "version-not-found",
    "a version that was never logged",
    { version: "V9" },
    "ModelVersionNotFound",
    "V9"
  ),
  run(
    "function-not-found",
    "a function the version does not have",
    { jobSpec: { functionName: "predict_proba" } },
    "FunctionNotFound",
    "predict_proba"
  ),
  run(
    "function-not-specified",
    "no function for a version with two",
    { model: "MULTI" },
    "FunctionNotSpecified",
    "explain"
  ),
  run(
    "partition-table-function",
    "partition_column for a table function no installed engine can partition",
    {
      model: "TABLEFN",
      input: { kind: "query", query: "SELECT x, z, 'north' AS region FROM points" },
      inputSpec: { partitionColumn: "X" }
    },
    "PartitionNotSupported",
    "does not run partitioned table functions"
  ),
  run(
    "partition-column-in-outputs",
    "partition_column that the table function also outputs",
    { model: "TABLEFN", inputSpec: { partitionColumn: "REGION" } },
    "PartitionNotSupported",
    "'region'"
  ),
  run(
    "engine-function-kind",
    "a table function on an engine that runs scalar functions only",
    { model: "TABLEFN" },
    "EnginePrepareError",
    "TABLE_FUNCTION"
  ),
  run(
    "engine-option-bad-weights",
    "engine option weights of the wrong length",
    { inferenceEngineOptions: { options: { weights: [1, 2, 3] } } },
    "EnginePrepareError",
    "weights"
  ),
  cli(
    "cli-engine-option-bad-weights",
    "--engine-option weights=[1]",
    runLine({}, ["--engine-option", "weights=[1]"]),
    "EnginePrepareError",
    "weights"
  ),
  run(
    "onnx-option-threads-zero",
    "onnx engine option threads 0",
    {
      model: "IMAGES",
      input: { kind: "files", location: "@ML.PUBLIC.FILES/img/", column: "IMAGE" },
      inputSpec: { columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } },
      inferenceEngineOptions: { options: { threads: 0 } }
    },
    "EnginePrepareError",
    "threads"
  ),
  run(
    "onnx-option-unknown",
    "an onnx engine option that does not exist",
    {
      model: "IMAGES",
      input: { kind: "files", location: "@ML.PUBLIC.FILES/img/", column: "IMAGE" },
      inputSpec: { columnHandling: { IMAGE: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } },
      inferenceEngineOptions: { options: { gpu: true } }
    },
    "EnginePrepareError",
    "gpu"
  ),
  run(
    "http-option-timeout-beyond-timer",
    "an HTTP engine's timeout_seconds longer than a timer can wait (99999999999)",
    { model: "SCORER", inferenceEngineOptions: { options: { timeout_seconds: 99999999999 } } },
    "EnginePrepareError",
    "timeout_seconds: must be at most 2147483"
  ),
  run(
    "http-option-backoff-beyond-timer",
    "an HTTP engine's backoff_max_seconds longer than a timer can wait (99999999999)",
    { model: "SCORER", inferenceEngineOptions: { options: { backoff_max_seconds: 99999999999 } } },
    "EnginePrepareError",
    "backoff_max_seconds: must be at most 2147483"
  ),
  call(
    "log-existing-version",
    "logging LINEAR V1 again",
    (session) => session.registry.logModel(log({ predict: simple }, { name: "LINEAR" })),
    "ModelVersionExists",
    "V1"
  ),
  call(
    "log-no-inputs",
    "logging a signature without inputs",
    (session) => session.registry.logModel(log({ predict: Signature.signature([], [f("y", "DOUBLE")]) })),
    "InvalidSignature",
    "predict"
  ),
  call(
    "log-duplicate-feature",
    "logging a signature with x twice",
    (session) =>
      session.registry.logModel(
        log({ predict: Signature.signature([f("x", "DOUBLE"), f("X", "DOUBLE")], [f("y", "DOUBLE")]) })
      ),
    "InvalidSignature",
    "X"
  ),
  call(
    "log-param-collides",
    "logging a param named like an input",
    (session) =>
      session.registry.logModel(
        log({
          predict: Signature.signature(
            [f("x", "DOUBLE")],
            [f("y", "DOUBLE")],
            [Signature.param("x", "DOUBLE", 1)]
          )
        })
      ),
    "InvalidSignature",
    "x"
  ),
  call(
    "log-param-bad-default",
    "logging a param whose default does not fit its type",
    (session) =>
      session.registry.logModel(
        log({
          predict: Signature.signature(
            [f("x", "DOUBLE")],
            [f("y", "DOUBLE")],
            [Signature.param("k", "INT64", "ten")]
          )
        })
      ),
    "InvalidSignature",
    "ten"
  ),
  call(
    "log-method-name",
    "logging a method named predict-proba",
    (session) => session.registry.logModel(log({ "predict-proba": simple })),
    "InvalidSignature",
    "predict-proba"
  ),
  call(
    "log-method-case",
    "logging methods predict and PREDICT",
    (session) => session.registry.logModel(log({ predict: simple, PREDICT: simple })),
    "InvalidSignature",
    "PREDICT"
  ),
  call(
    "log-engine-id",
    'logging with engine "ONNX runtime"',
    (session) => session.registry.logModel(log({ predict: simple }, { engine: "ONNX runtime" })),
    "InvalidSpec",
    "ONNX runtime"
  ),
  call(
    "log-artifact-name",
    "logging an artifact named ../model.onnx",
    (session, fixture) =>
      session.registry.logModel(
        log(
          { predict: simple },
          { artifacts: [{ name: "../model.onnx", path: `${fixture.home}/local/means.onnx` }] }
        )
      ),
    "InvalidSpec",
    "../model.onnx"
  ),
  call(
    "log-function-kind",
    "logging a function kind that does not exist",
    (session) =>
      session.registry.logModel(log({ predict: simple }, { functionKinds: { predict: "PROCEDURE" } })),
    "InvalidSpec",
    "PROCEDURE"
  ),
  cli(
    "cli-log-signature-not-yaml",
    "model log --signature of a file that is not YAML",
    logCli(),
    "InvalidSignature",
    "not valid YAML",
    { files: { "s.yaml": "predict: [inputs: {" } }
  ),
  cli(
    "cli-log-signature-type",
    "model log --signature with an unknown type",
    logCli(),
    "InvalidSignature",
    "predict.inputs[0]",
    {
      files: {
        "s.yaml": "predict:\n  inputs: [{name: x, type: DECIMAL}]\n  outputs: [{name: y, type: DOUBLE}]\n"
      }
    }
  ),
  cli(
    "cli-log-options-list",
    "model log --options holding a list",
    logCli(["--options", "{file:o.yaml}"]),
    "UsageError",
    "o.yaml",
    {
      files: {
        "s.yaml": "predict:\n  inputs: [{name: x, type: DOUBLE}]\n  outputs: [{name: y, type: DOUBLE}]\n",
        "o.yaml": "- 1\n- 2\n"
      }
    }
  ),
  cli(
    "cli-log-signature-empty",
    "model log --signature of a file of zero bytes",
    logCli(),
    "InvalidSignature",
    "expected a map of method name to signature",
    { files: { "s.yaml": "" } }
  ),
  cli(
    "cli-log-signature-alias-bomb",
    "model log --signature of nested YAML aliases",
    logCli(),
    "InvalidSignature",
    "its aliases expand more than 100 times",
    {
      files: {
        "s.yaml": [
          "a: &a [x, x, x, x, x, x, x, x, x, x]",
          "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
          "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
          "predict: *d"
        ].join("\n")
      }
    }
  ),
  cli(
    "cli-log-options-not-yaml",
    "model log --options of a file that is not YAML",
    logCli(["--options", "{file:o.yaml}"]),
    "UsageError",
    "the options file",
    {
      files: {
        "s.yaml": "predict:\n  inputs: [{name: x, type: DOUBLE}]\n  outputs: [{name: y, type: DOUBLE}]\n",
        "o.yaml": "weights: [1, 2\n"
      }
    }
  ),
  cli(
    "cli-log-options-alias-cycle",
    "model log --options holding a value that contains itself",
    logCli(["--options", "{file:o.yaml}"]),
    "UsageError",
    "o.yaml",
    {
      files: {
        "s.yaml": "predict:\n  inputs: [{name: x, type: DOUBLE}]\n  outputs: [{name: y, type: DOUBLE}]\n",
        "o.yaml": "weights: &w [*w]\n"
      }
    }
  ),
  cli(
    "cli-log-missing-onnx",
    "model log --onnx of a file that does not exist",
    [
      "model",
      "log",
      "--name",
      "NEWMODEL",
      "--version",
      "V1",
      "--signature",
      "{file:s.yaml}",
      "--onnx",
      "{home}/inputs/none.onnx"
    ],
    "LocalFileError",
    "none.onnx",
    {
      files: {
        "s.yaml": "predict:\n  inputs: [{name: x, type: DOUBLE}]\n  outputs: [{name: y, type: DOUBLE}]\n"
      }
    }
  ),
  cli(
    "cli-log-onnx-not-onnx",
    "model log --onnx of a CSV file",
    [...logOnnx, "{file:m.onnx}"],
    "EnginePrepareError",
    "onnxruntime cannot load the graph",
    { files: { "s.yaml": simpleYaml, "m.onnx": "x,y\n1,2\n" } }
  ),
  cli(
    "cli-log-onnx-option-typo",
    "model log --options with a misspelt option (treads)",
    [...logOnnx, "{file:m.onnx}", "--options", "{file:o.yaml}"],
    "EnginePrepareError",
    "treads: unknown option. Did you mean 'threads'?",
    { files: { "s.yaml": simpleYaml, "m.onnx": "x,y\n1,2\n", "o.yaml": "treads: 2\n" } }
  ),
  cli(
    "cli-log-engine-not-installed",
    "model log with an engine that is not installed here (no --plugin)",
    [...logTestEngine, "--signature", "{file:s.yaml}"],
    "PluginNotFound",
    "--unchecked",
    { files: { "s.yaml": simpleYaml } }
  )
]
