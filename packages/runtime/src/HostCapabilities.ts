/**
 * The capabilities a replica gives its plugins: stage files through its StageStore (so plugins read
 * the same way locally and in SPCS, and can never read outside a stage), and a logger writing to the
 * replica's log lines, redacted (plugin-http's `redact`: the secrets plugins read, token shapes).
 */
import { FileReader, PluginLogger } from "@runbatch/plugin-api"
import { redact } from "@runbatch/plugin-http"
import { StageFileReader, StageStore } from "@runbatch/stage-io"
import { Effect, Layer } from "effect"
import { Progress } from "./Progress.ts"

export const fileReaderLayer: Layer.Layer<FileReader, never, StageStore> = Layer.effect(
  FileReader,
  Effect.map(StageStore, (store) => FileReader.of(StageFileReader.readerOf(store)))
)

export const loggerLayer: Layer.Layer<PluginLogger, never, Progress> = Layer.effect(
  PluginLogger,
  Effect.map(Progress, (progress) =>
    PluginLogger.of({
      debug: () => Effect.void,
      info: (message) => progress.log("info", redact(message)),
      warn: (message) => progress.log("warn", redact(message))
    })
  )
)

export const layer: Layer.Layer<FileReader | PluginLogger, never, StageStore | Progress> = Layer.mergeAll(
  fileReaderLayer,
  loggerLayer
)
