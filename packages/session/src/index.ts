// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * from "./LocalAccount.ts"
export { DEFAULT_LOCK_WAIT_MILLIS, type LocalSqlOptions } from "./LocalSql.ts"
export * from "./Relation.ts"
export * from "./Sql.ts"
export { type EffectRunner, RelationPromise, SqlPromise, type TableSourcePromise } from "./SqlPromise.ts"
