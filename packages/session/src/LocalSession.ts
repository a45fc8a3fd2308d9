/**
 * What the local Sql's operations share: the account, its warehouse, the session folder for data
 * frames (removed when the session's scope closes), and how a relation is made over them.
 */
import type { LocalAccountShape } from "@runbatch/account"
import type { CaseCollision } from "@runbatch/spec"
import { SqlError } from "@runbatch/spec"
import type { RelationPlan } from "./LocalRelation.ts"
import type { Relation } from "./Relation.ts"
import type { SessionContext } from "./Sql.ts"
import type { Warehouse } from "./Warehouse.ts"

export interface LocalSession {
  readonly account: LocalAccountShape
  /** The current database and schema: unqualified names resolve here. */
  readonly context: SessionContext
  readonly warehouse: Warehouse
  /** Where data frames are written; removed with the session. */
  readonly sessionDir: string
  readonly relation: (plan: RelationPlan) => Relation
}

/** Query and execute keep their SqlError | DatabaseBusy face; two database files differing by case say so. */
export const collisionAsSqlError = (statement: string) => (error: CaseCollision) =>
  new SqlError({ statement, reason: error.message })
