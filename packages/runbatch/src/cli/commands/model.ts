/**
 * The `runbatch model …` commands: log a model version, list models, show one, set the default
 * version, remove a version or a model. What they do, loaded
 * only when one of them runs; their words, options and help are data in ./index.ts.
 */
import { readFileSync } from "node:fs"
import { basename, resolve } from "node:path"
import { ModelRegistry } from "@runbatch/registry-client"
import { Identifier, type Json, PluginNotFound, SignatureYaml } from "@runbatch/spec"
import { Effect } from "effect"
import * as Yaml from "yaml"
import { checkModel } from "../../ModelCheck.ts"
import {
  type AccountData,
  type CommandRun,
  listOption,
  positional,
  stringOption,
  UsageError
} from "../Command.ts"
import { rows, text } from "../Output.ts"

const readText = (path: string, what: string): string => {
  try {
    return readFileSync(resolve(path), "utf8")
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as Error).message}`)
  }
}

/** The engine options file as plain data (stored as JSON): YAML that does not parse is a usage error. */
const readOptions = (path: string): unknown => {
  const source = readText(path, "the options file")
  try {
    return JSON.parse(JSON.stringify(Yaml.parse(source, { maxAliasCount: 100 }) ?? null))
  } catch (error) {
    throw new UsageError(
      `the options file ${path} is not valid YAML or JSON: ${(error as Error).message.split("\n")[0]}`
    )
  }
}

export const modelLog: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const name = stringOption(args, "name")
    const version = stringOption(args, "version")
    const signatureFile = stringOption(args, "signature")
    if (name === undefined || version === undefined || signatureFile === undefined) {
      throw new UsageError("--name, --version and --signature are required")
    }
    const onnx = stringOption(args, "onnx")
    const engine = stringOption(args, "engine") ?? (onnx === undefined ? undefined : "onnx")
    if (engine === undefined)
      throw new UsageError("--engine ID is required (or --onnx FILE for the onnx engine)")
    const signatures = yield* SignatureYaml.parse(readText(signatureFile, "the signature file"))
    const optionsFile = stringOption(args, "options")
    const engineOptions = optionsFile === undefined ? undefined : readOptions(optionsFile)
    if (
      engineOptions !== undefined &&
      (typeof engineOptions !== "object" || engineOptions === null || Array.isArray(engineOptions))
    ) {
      throw new UsageError(`the options file ${optionsFile} must hold a map of engine options`)
    }
    const artifacts = [
      ...(onnx === undefined ? [] : [{ name: "model.onnx", path: resolve(onnx) }]),
      ...listOption(args, "artifact").map((path) => ({ name: basename(path), path: resolve(path) }))
    ]
    const comment = stringOption(args, "comment")
    const options = {
      name,
      version,
      engine,
      signatures,
      artifacts,
      ...(engineOptions === undefined ? {} : { engineOptions: engineOptions as Record<string, Json> }),
      ...(comment === undefined ? {} : { comment })
    }
    // Versions never change: what the engine would refuse at run is refused before anything is written.
    if (args.values["unchecked"] !== true) {
      yield* checkModel(options, listOption(args, "plugin")).pipe(
        Effect.catchTag("PluginNotFound", (error) =>
          Effect.fail(
            new PluginNotFound({
              ...error,
              otherwise:
                "Or log it without the engine's check: --unchecked (a version that cannot run then fails only at run)."
            })
          )
        )
      )
    }
    const registry = yield* ModelRegistry
    const logged = yield* registry.logModel(options)
    // Names as SQL writes them, so a quoted one can be pasted back: ML.PUBLIC."Churn model".
    const id = Identifier.formatQualified(logged.model)
    return text(
      `Logged ${id} version ${Identifier.format(logged.version)} (engine ${logged.engine}, ${logged.artifacts.length} artifact(s), functions ${logged.functions.map((f) => f.name).join(", ")}).`,
      {
        model: id,
        version: logged.version,
        engine: logged.engine,
        functions: logged.functions.map((f) => f.name)
      }
    )
  })

export const modelList: CommandRun<AccountData> = () =>
  Effect.gen(function* () {
    const registry = yield* ModelRegistry
    const models = yield* registry.listModels
    return rows(
      ["name", "default_version", "versions", "created_on", "comment"],
      models.map((m) => ({
        name: Identifier.formatQualified(m),
        default_version: m.defaultVersion === undefined ? "" : Identifier.format(m.defaultVersion),
        versions: m.versions.map(Identifier.format).join(", "),
        created_on: m.createdOn,
        comment: m.comment ?? ""
      }))
    )
  })

export const modelShow: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const name = positional(args, 0, "the model name")
    const registry = yield* ModelRegistry
    const versionName = stringOption(args, "version")
    if (versionName === undefined) {
      const versions = yield* registry.showVersions(name)
      return rows(
        ["name", "aliases", "functions", "created_on", "comment"],
        versions.map((v) => ({
          name: Identifier.format(v.name),
          aliases: v.aliases.join(", "),
          functions: v.functions.join(", "),
          created_on: v.createdOn,
          comment: v.comment ?? ""
        }))
      )
    }
    const version = yield* registry.getVersion(name, versionName)
    const lines = [
      `${Identifier.formatQualified(version.model)} version ${Identifier.format(version.version)}${version.isDefault ? " (default)" : ""}`,
      `engine: ${version.engine}${Object.keys(version.engineOptions).length === 0 ? "" : ` ${JSON.stringify(version.engineOptions)}`}`,
      `created: ${version.createdOn}`,
      ...(version.comment === undefined ? [] : [`comment: ${version.comment}`]),
      "artifacts:",
      ...version.artifacts.map((a) => `  ${a.name} (${a.bytes} bytes)`),
      "functions:",
      SignatureYaml.stringify(Object.fromEntries(version.functions.map((f) => [f.targetMethod, f.signature])))
        .trimEnd()
        .split("\n")
        .map((line) => `  ${line}`)
        .join("\n")
    ]
    return text(lines.join("\n"), version)
  })

/** `model rm NAME --version V` removes one version; `model rm NAME --all` the model and every version. */
export const modelRemove: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const name = positional(args, 0, "the model name")
    const version = stringOption(args, "version")
    const all = args.values["all"] === true
    if ((version === undefined) === !all)
      throw new UsageError("give --version V to remove one version, or --all to remove the model")
    const registry = yield* ModelRegistry
    if (version !== undefined) {
      yield* registry.deleteVersion(name, version)
      return text(`Removed ${name} version ${version}.`, { model: name, version })
    }
    yield* registry.deleteModel(name)
    return text(`Removed ${name} and all its versions.`, { model: name })
  })

/** `model default NAME VERSION`: the version DEFAULT names (and runs when a job gives none). */
export const modelDefault: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const name = positional(args, 0, "the model name")
    const version = positional(args, 1, "the version")
    const registry = yield* ModelRegistry
    yield* registry.setDefaultVersion(name, version)
    return text(`${name}'s default version is now ${version}.`, { model: name, defaultVersion: version })
  })
