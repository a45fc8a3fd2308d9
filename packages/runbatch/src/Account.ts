/**
 * An account as the services a runbatch program uses, in one Layer: SQL and relations, stage files,
 * the model registry and the job launcher. `layerLocal` is the embedded local account (a folder);
 * `layerSnowflakeData` a Snowflake account's SQL, stages and model registry (jobs come later).
 */
import { LocalAccount, type LocalAccountOptions } from "@runbatch/account"
import { ModelRegistry } from "@runbatch/registry-client"
import { Sql } from "@runbatch/session"
import { JobLauncher } from "@runbatch/spcs-launcher"
import { StageStore } from "@runbatch/stage-io"
import { Layer } from "effect"

export {
  layerSnowflakeData,
  layerSnowflakeSql,
  type SnowflakeAccountError,
  type SnowflakeOptions
} from "./SnowflakeAccount.ts"

export type Services = Sql | StageStore | ModelRegistry | JobLauncher | LocalAccount

export interface LocalOptions extends LocalAccountOptions {
  /** DuckDB threads per operation; default one per core. */
  readonly threads?: number
}

export const layerLocal = (options: LocalOptions = {}): Layer.Layer<Services> => {
  const account = LocalAccount.layer({
    ...(options.home === undefined ? {} : { home: options.home }),
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.schema === undefined ? {} : { schema: options.schema })
  })
  return Layer.mergeAll(
    Sql.layerLocal(options.threads === undefined ? {} : { threads: options.threads }),
    StageStore.layerLocal(),
    ModelRegistry.layerLocal(),
    // The launcher resolves job ids with the account's current database and schema (their defaults too).
    Layer.unwrap(
      LocalAccount.useSync(({ home, database, schema }) => JobLauncher.layerLocal({ home, database, schema }))
    )
  ).pipe(Layer.provideMerge(account))
}
