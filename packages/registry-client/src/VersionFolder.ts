/**
 * A model version as a folder in Snowflake's layout (`MANIFEST.yml`, `model/model.yaml`,
 * `model/artifacts/<name>`), the form `CREATE MODEL … FROM @stage/<folder>` takes: the local registry
 * writes its versions this way, the Snowflake registry writes one to upload, and the emulator reads
 * an uploaded one back into `logModel` options. Reading goes through the same `ModelVersionReader` as
 * every other read, so a folder is refused for the same reasons a stored version would be.
 */
import { join } from "node:path"
import { InvalidModelVersion, type LocalFileError, type ModelFunction } from "@runbatch/spec"
import { Effect } from "effect"
import * as Yaml from "yaml"
import { copyWithChecksum, readTextIfExists, writeNewFile } from "./LocalFiles.ts"
import type { LogModelOptions } from "./ModelRegistry.ts"
import {
  ARTIFACTS,
  type LoggedArtifact,
  MANIFEST,
  MODEL_SPEC,
  manifestYaml,
  modelSpecYaml,
  type VersionContent
} from "./ModelVersionFiles.ts"
import * as ModelVersionReader from "./ModelVersionReader.ts"

/** Everything of a version's content but its artifacts, which writing the folder measures. */
export type VersionDescription = Omit<VersionContent, "artifacts">

/** What `logModel`'s options say of a version of `model`, engine id resolved, logged at `createdOn`. */
export const describe = (
  options: LogModelOptions,
  model: string,
  engine: string,
  createdOn: string
): VersionDescription => ({
  model,
  engine,
  engineOptions: options.engineOptions ?? {},
  signatures: options.signatures,
  functionKinds: options.functionKinds ?? {},
  comment: options.comment,
  metadata: options.metadata ?? {},
  createdOn
})

/**
 * Write a version into `dir` (which must hold none of its files): the artifacts copied in, measured
 * as they stream, then the model spec and the manifest. Returns the whole content.
 */
export const writeVersionFolder = (
  dir: string,
  artifacts: ReadonlyArray<{ readonly name: string; readonly path: string }>,
  description: VersionDescription
): Effect.Effect<VersionContent, LocalFileError> =>
  Effect.gen(function* () {
    const logged: Array<LoggedArtifact> = []
    for (const artifact of artifacts) {
      const copied = yield* copyWithChecksum(artifact.path, join(dir, ARTIFACTS, artifact.name))
      logged.push({ name: artifact.name, ...copied })
    }
    const content: VersionContent = { ...description, artifacts: logged }
    yield* writeNewFile(join(dir, MODEL_SPEC), modelSpecYaml(content))
    yield* writeNewFile(join(dir, MANIFEST), manifestYaml(content))
    return content
  })

/**
 * The `logModel` options that log the version folder `dir` again (the emulator's `CREATE MODEL …
 * FROM @stage`): its signatures, function kinds, engine and artifacts, read and checked by
 * `ModelVersionReader` from its `model/model.yaml` and the `user_data` of its `MANIFEST.yml`.
 */
export const readVersionFolder = (
  dir: string,
  model: string,
  version: string
): Effect.Effect<
  Omit<LogModelOptions, "name" | "version" | "comment" | "metadata">,
  InvalidModelVersion | LocalFileError
> =>
  Effect.gen(function* () {
    const invalid = (reason: string) => new InvalidModelVersion({ model, version, reason })
    const required = (file: string, what: string) =>
      Effect.flatMap(readTextIfExists(join(dir, file)), (text) =>
        text === undefined
          ? Effect.fail(
              invalid(
                `the folder has no ${file} (${what}); a version folder holds MANIFEST.yml and model/model.yaml in Snowflake's layout.`
              )
            )
          : Effect.succeed(text)
      )
    const manifestYaml = yield* required(MANIFEST, "the manifest")
    const modelSpecYaml = yield* required(MODEL_SPEC, "the model spec with the signatures")
    // The manifest's `user_data` is what Snowflake shows as the version's user data.
    const manifest = yield* Effect.try({
      try: () => Yaml.parse(manifestYaml) as unknown,
      catch: (e) => invalid(`its MANIFEST.yml is not valid YAML: ${String(e).split("\n")[0]}`)
    })
    const userData =
      typeof manifest === "object" && manifest !== null && "user_data" in manifest
        ? (manifest as { user_data: unknown }).user_data
        : {}
    const parsed = yield* ModelVersionReader.read(
      { modelSpecYaml, manifestYaml, userDataJson: JSON.stringify(userData ?? {}) },
      model,
      version
    )
    if (parsed.engine === ModelVersionReader.NO_ENGINE)
      return yield* invalid(
        "its user data names no runbatch engine (a version snowflake-ml-python logged); only versions runbatch logs can be logged from a folder here."
      )
    const functionKinds: Record<string, ModelFunction.FunctionKind> = {}
    const signatures: Record<string, ModelFunction.ModelFunction["signature"]> = {}
    for (const fn of parsed.functions) {
      functionKinds[fn.targetMethod] = fn.kind
      signatures[fn.targetMethod] = fn.signature
    }
    const artifacts: Array<{ readonly name: string; readonly path: string }> = []
    for (const artifact of parsed.artifacts) {
      if (artifact.path !== `${ARTIFACTS}/${artifact.name}`)
        return yield* invalid(
          `the artifact ${artifact.name} lies at ${artifact.path}; runbatch keeps artifacts under ${ARTIFACTS}/.`
        )
      artifacts.push({ name: artifact.name, path: join(dir, artifact.path) })
    }
    return {
      engine: parsed.engine,
      engineOptions: parsed.engineOptions,
      signatures,
      functionKinds,
      artifacts
    }
  })
