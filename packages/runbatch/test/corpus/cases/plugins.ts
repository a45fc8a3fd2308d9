/** Plugins that are not installed, not plugins, made for another runbatch, or claiming a taken id. */
import { TestEngine } from "@runbatch/testkit"
import { type Case, cli, run, runLine } from "../Case.ts"
import type { Fixture } from "../Fixture.ts"

/** runBatch with the test engine and the fixture plugin `key` (a folder path resolved at run time). */
const withPlugin = (
  id: string,
  input: string,
  key: keyof Fixture["plugins"],
  tag: string,
  message: string | RegExp
): Case => cli(id, input, runLine({}, ["--plugin", `{plugin:${key}}`]), tag, message)

export const plugins: ReadonlyArray<Case> = [
  run(
    "engine-not-installed",
    "an engine id no plugin has",
    { inferenceEngineOptions: { engine: "tensorrt" } },
    "PluginNotFound",
    "tensorrt"
  ),
  cli(
    "cli-engine-not-installed",
    "--engine no-such-engine",
    runLine({ "--engine": "no-such-engine" }),
    "PluginNotFound",
    "no-such-engine"
  ),
  run(
    "plugin-package-missing",
    "a plugins list naming a package that is not installed",
    { plugins: [TestEngine.packageDir, "runbatch-engine-nope"] },
    "PluginNotFound",
    "runbatch-engine-nope"
  ),
  run(
    "plugin-folder-missing",
    "a plugins list naming a folder that does not exist",
    { plugins: [TestEngine.packageDir, "/nonexistent/runbatch-plugin"] },
    "PluginNotFound",
    "/nonexistent/runbatch-plugin"
  ),
  run(
    "version-engine-missing",
    "a version whose engine (test-linear) is not in the plugins list",
    { plugins: [] },
    "PluginNotFound",
    "test-linear"
  ),
  withPlugin(
    "plugin-bad-kind",
    'a plugin whose manifest kind is "decoder"',
    "badKind",
    "InvalidPluginManifest",
    "decoder"
  ),
  withPlugin(
    "plugin-future-api",
    "a plugin written for plugin API 99",
    "futureApi",
    "IncompatiblePlugin",
    "plugin API 99"
  ),
  withPlugin(
    "plugin-old-peer",
    "a plugin needing @runbatch/plugin-api ^9",
    "oldPeer",
    "IncompatiblePlugin",
    "^9.0.0"
  ),
  cli(
    "plugin-code-lies",
    "a plugin whose code claims another id than its manifest",
    runLine({ "--engine": "liar" }, ["--plugin", "{plugin:liar}"]),
    "IncompatiblePlugin",
    "someone-else"
  ),
  withPlugin(
    "plugin-duplicate-id",
    "a second package claiming the test engine's id",
    "twin",
    "DuplicatePluginId",
    "test-linear"
  ),
  cli(
    "plugin-no-manifest",
    "--plugin of a package without a runbatch manifest",
    runLine({}, ["--plugin", "{plugin:noManifest}"]),
    "InvalidPluginManifest",
    "runbatch-engine-nomanifest",
    { realCli: true }
  )
]
