/**
 * Files of a model version, addressed as Snowflake addresses them:
 * `snow://model/DB.SCHEMA.MODEL/versions/V1/model/weights.onnx`. Plans name model artifacts this way,
 * so a replica reads them through its file reader wherever it runs (the registry folder locally,
 * `GET 'snow://model/…'` on Snowflake). The path part follows the same rules as stage paths.
 */
import { Effect } from "effect"
import { InvalidStageLocation } from "./errors/SpecErrors.ts"
import * as Identifier from "./Identifier.ts"
import { normalisePath } from "./StageLocation.ts"

export interface ModelFileLocation {
  readonly database: string
  readonly schema: string
  readonly model: string
  readonly version: string
  /** Inside the version folder, normalised; `""` is the version folder itself. */
  readonly path: string
}

const PREFIX = "snow://model/"

export const isModelFileLocation = (text: string): boolean => text.trim().toLowerCase().startsWith(PREFIX)

export const parse = (text: string): Effect.Effect<ModelFileLocation, InvalidStageLocation> =>
  Effect.gen(function* () {
    const input = text.trim()
    const fail = (reason: string) => new InvalidStageLocation({ input: text, reason })
    if (!isModelFileLocation(input)) return yield* fail(`a model file location starts with ${PREFIX}.`)
    const rest = input.slice(PREFIX.length)
    const match = /^(.+?)\/versions\/([^/]+)(?:\/(.*))?$/.exec(rest)
    if (match === null) return yield* fail("expected snow://model/DB.SCHEMA.MODEL/versions/VERSION/path.")
    const name = yield* Identifier.parseQualified(match[1]!).pipe(
      Effect.mapError((e) => fail(`model name: ${e.reason}`))
    )
    if (name.database === undefined || name.schema === undefined) {
      return yield* fail("the model must be fully qualified: snow://model/DB.SCHEMA.MODEL/versions/VERSION/…")
    }
    const version = yield* Identifier.resolve(match[2]!).pipe(
      Effect.mapError((e) => fail(`version: ${e.reason}`))
    )
    const path = yield* normalisePath(text, match[3] ?? "")
    return { database: name.database, schema: name.schema, model: name.name, version, path }
  })

export const format = (location: ModelFileLocation): string => {
  const model = Identifier.formatQualified({
    database: location.database,
    schema: location.schema,
    name: location.model
  })
  return `${PREFIX}${model}/versions/${Identifier.format(location.version)}/${location.path}`
}
