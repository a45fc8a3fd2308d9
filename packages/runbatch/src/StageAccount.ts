/**
 * The embedded local account reduced to its stage files: the LocalAccount (home, current database and
 * schema) and its StageStore, without the SQL session, the registry or the launcher, and so without
 * DuckDB. A command that reads only stage files (`runbatch results`) runs on it and starts light: it
 * is the account `Account.layerLocal` builds, minus what such a command never asks for.
 */
import type { LocalAccount, LocalAccountOptions } from "@runbatch/account"
import { StageStore } from "@runbatch/stage-io"
import type { Layer } from "effect"

export type StageServices = StageStore | LocalAccount

/** Stage files of the local account at `options.home`, names resolving against its database and schema. */
export const layerLocalStages = (options: LocalAccountOptions = {}): Layer.Layer<StageServices> =>
  StageStore.layerLocalHome(options)
