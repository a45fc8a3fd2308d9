/**
 * `createTable` on the local account: a table from local parquet or CSV files (checked and read as
 * FileSources says) or from a relation, in a database and schema created on first use. An
 * existing table is refused (TableExists) unless replacing; one whose name differs only by case always
 * (CaseCollision).
 */
import { CaseCollision, type DatabaseBusy, Identifier, type SqlError, TableExists } from "@runbatch/spec"
import { Effect } from "effect"
import type { Access } from "./Attachments.ts"
import { fileSourceQuery } from "./FileSources.ts"
import { describeColumns, planOf, type RelationPlan } from "./LocalRelation.ts"
import type { LocalSession } from "./LocalSession.ts"
import { listObjects, sameName } from "./LocalTables.ts"
import type { CreateTableOptions, TableSource } from "./Sql.ts"

type WarehouseError = SqlError | DatabaseBusy | CaseCollision

export const createTable = (session: LocalSession) =>
  Effect.fn("Sql.createTable")(function* (
    name: string,
    source: TableSource,
    createOptions: CreateTableOptions = {}
  ) {
    const { context, warehouse } = session
    const target = yield* Identifier.parseFullyQualified(name, context)
    const qualified = Identifier.quoteQualified(target)
    let select: string
    let read: Access = {}
    let plan: RelationPlan | undefined
    switch (source.kind) {
      case "parquet":
      case "csv":
        select = yield* fileSourceQuery<WarehouseError>(source, (body) => warehouse.use({}, body))
        break
      case "relation":
        plan = planOf(source.relation)
        select = plan.sql
        read = plan.access
        break
    }
    const statement = `CREATE ${createOptions.mode === "replace" ? "OR REPLACE " : ""}TABLE ${qualified} AS\n${select}`
    return yield* warehouse.use(
      { ...read, write: [{ database: target.database, schemas: [target.schema] }] },
      (connection) =>
        Effect.gen(function* () {
          if (plan !== undefined) yield* describeColumns(connection, plan)
          const existing = (yield* listObjects(connection, target.database, true)).filter(
            (o) => sameName(o.schema, target.schema) && sameName(o.name, target.name)
          )
          const clash = existing.find((o) => o.name !== target.name)
          if (clash !== undefined) {
            return yield* new CaseCollision({
              what: "table",
              names: [clash.name, target.name],
              source: `The schema ${Identifier.formatQualified({ database: target.database, name: target.schema })}`
            })
          }
          if (existing.length > 0 && createOptions.mode !== "replace") {
            return yield* new TableExists({ table: Identifier.formatQualified(target) })
          }
          yield* connection.run(statement)
          const counted = yield* connection.all(`SELECT count(*) FROM ${qualified}`)
          return {
            table: Identifier.formatQualified(target),
            rows: Number(counted.getRowsJS()[0]?.[0] ?? 0)
          }
        })
    )
  })
