export * from "./LocalAccount.ts"
export * from "./Relation.ts"
export * from "./Sql.ts"
