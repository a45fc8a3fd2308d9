/**
 * A model version checked before it is logged, by its engine's own plan-time check (`prepare`): for
 * each function, the version's options, its signature and its local files, read as replicas will read
 * them from the stage. For the onnx engine: the file parses as ONNX, the options decode (a misspelt
 * option is named with what was meant), and the signature binds to the graph. A version never changes
 * once logged, so a model that could only fail at `run` is refused here instead.
 *
 * An engine that is not installed here fails the check (PluginNotFound): name its package in
 * `plugins`, or do not check (the CLI's `model log --unchecked`). An artifact that does not exist is
 * the registry's to report (LocalFileError).
 */
import { existsSync, readFileSync, statSync } from "node:fs"
import { basename, resolve } from "node:path"
import { JobPlanner } from "@runbatch/planner"
import { FileReader, PluginLogger } from "@runbatch/plugin-api"
import { makePluginHost } from "@runbatch/plugin-host"
import type { LogModelOptions } from "@runbatch/registry-client"
import { type Json, Params, StageFileError } from "@runbatch/spec"
import { Effect, Stream } from "effect"

/** The version's artifacts as the registry will name them, each at its local path. */
const localArtifacts = (options: LogModelOptions) =>
  (options.artifacts ?? []).map((a) =>
    typeof a === "string" ? { name: basename(a), path: resolve(a) } : { name: a.name, path: resolve(a.path) }
  )

/** Reads local files by path, as the engine reads stage files by location at run time. */
const localReader = FileReader.of({
  read: (location, options) =>
    Effect.try({
      try: () => {
        const bytes = statSync(location).size
        if (options?.maxBytes !== undefined && bytes > options.maxBytes) throw new RangeError("too large")
        return new Uint8Array(readFileSync(location))
      },
      catch: (error) =>
        error instanceof RangeError
          ? new StageFileError({ location, problem: "too_large", limitBytes: options?.maxBytes ?? 0 })
          : new StageFileError({ location, problem: "unreadable", detail: (error as Error).message })
    }),
  stream: (location, options) => Stream.fromEffect(localReader.read(location, options ?? {})),
  size: (location) =>
    Effect.try({
      try: () => statSync(location).size,
      catch: (error) =>
        new StageFileError({ location, problem: "unreadable", detail: (error as Error).message })
    })
})

/** `plugins`: packages to load besides the first-party ones (the engine's, if third-party). */
export const checkModel = (options: LogModelOptions, plugins: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const artifacts = localArtifacts(options)
    if (artifacts.some((a) => !existsSync(a.path))) return
    const host = yield* makePluginHost({ plugins })
    const engine = yield* host.engine(options.engine.toLowerCase())
    for (const [method, signature] of Object.entries(options.signatures)) {
      yield* engine.engine
        .prepare({
          function: {
            name: method.toUpperCase(),
            targetMethod: method,
            // An own key only: a method named `constructor` is data, not Object's property.
            kind:
              (options.functionKinds !== undefined && Object.hasOwn(options.functionKinds, method)
                ? options.functionKinds[method]
                : undefined) ?? "FUNCTION"
          },
          signature,
          options: (options.engineOptions ?? {}) as Readonly<Record<string, Json>>,
          params: yield* Params.resolve(undefined, signature.params),
          artifacts: artifacts.map((a) => ({ name: a.name, location: a.path, bytes: statSync(a.path).size })),
          engineArgsOverride: []
        })
        .pipe(
          Effect.provideService(FileReader, localReader),
          Effect.provideService(PluginLogger, JobPlanner.silentLogger)
        )
    }
  })
