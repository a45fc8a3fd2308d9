/**
 * A file runbatch can read: on a stage (`@DB.SCHEMA.STAGE/path`) or among a model version's files
 * (`snow://model/DB.SCHEMA.MODEL/versions/V1/path`).
 */
import { Effect } from "effect"
import type { InvalidStageLocation } from "./errors/SpecErrors.ts"
import type { NameContext } from "./Identifier.ts"
import * as ModelFileLocation from "./ModelFileLocation.ts"
import * as StageLocation from "./StageLocation.ts"

export type FileLocation =
  | { readonly kind: "stage"; readonly location: StageLocation.StageLocation }
  | { readonly kind: "model"; readonly location: ModelFileLocation.ModelFileLocation }

export const parse = (
  text: string,
  context: NameContext = {}
): Effect.Effect<FileLocation, InvalidStageLocation> =>
  ModelFileLocation.isModelFileLocation(text)
    ? Effect.map(ModelFileLocation.parse(text), (location) => ({ kind: "model" as const, location }))
    : Effect.map(StageLocation.parse(text, context), (location) => ({ kind: "stage" as const, location }))

export const format = (file: FileLocation): string =>
  file.kind === "stage" ? StageLocation.format(file.location) : ModelFileLocation.format(file.location)
