/**
 * The statement that starts a job on Snowpark Container Services, in the documented clause order:
 *
 *   EXECUTE JOB SERVICE
 *   IN COMPUTE POOL IDENTIFIER(?)
 *   FROM SPECIFICATION $$
 *   <spec YAML>
 *   $$
 *   NAME = IDENTIFIER(?)
 *   ASYNC = TRUE
 *   REPLICAS = ?
 *   QUERY_WAREHOUSE = IDENTIFIER(?)
 *   EXTERNAL_ACCESS_INTEGRATIONS = (A, B)
 *
 * Names go in as binds where the grammar takes them (as snowflake-ml-python sends it); the spec goes
 * between `$$`, which cannot be escaped, so a spec holding `$$` is refused. A job's service name must
 * be an unquoted, upper-case identifier: `SHOW SERVICE CONTAINERS` cannot take quoted names.
 */
import { Identifier, InvalidSpec } from "@runbatch/spec"
import { Effect } from "effect"

export interface ExecuteJobServiceInput {
  readonly computePool: string
  /** The service's name: the job's, or an attempt's (`<JOB>_A2`). */
  readonly service: Identifier.FullyQualifiedName
  readonly specYaml: string
  readonly replicas: number
  readonly warehouse?: string
  readonly externalAccessIntegrations?: ReadonlyArray<string>
}

export interface BoundStatement {
  readonly sql: string
  readonly binds: ReadonlyArray<string | number>
}

const UPPER_UNQUOTED = /^[A-Z_][A-Z0-9_$]*$/

const problem = (path: string, message: string) => ({ path, message })

export const executeJobService = (input: ExecuteJobServiceInput) =>
  Effect.gen(function* () {
    const problems: Array<{ path: string; message: string }> = []
    for (const [part, value] of [
      ["database", input.service.database],
      ["schema", input.service.schema],
      ["name", input.service.name]
    ] as const) {
      if (!UPPER_UNQUOTED.test(value))
        problems.push(
          problem(
            "job_name",
            `the ${part} ${Identifier.format(value)} of the job's service must be an unquoted upper-case name (letters, digits, _ and $): Snowpark Container Services cannot show the containers of a service with a quoted name.`
          )
        )
    }
    if (input.specYaml.includes("$$"))
      problems.push(
        problem(
          "specification",
          "it contains $$, which ends the statement's dollar-quoted specification and cannot be escaped; remove $$ from environment values, arguments and names."
        )
      )
    if (!Number.isInteger(input.replicas) || input.replicas < 1)
      problems.push(problem("replicas", `must be a whole number of at least 1, got ${input.replicas}.`))
    const integrations: Array<string> = []
    for (const name of input.externalAccessIntegrations ?? []) {
      const resolved = yield* Effect.result(Identifier.resolve(name))
      if (resolved._tag === "Failure")
        problems.push(
          problem("external_access_integrations", `${JSON.stringify(name)}: ${resolved.failure.reason}`)
        )
      else integrations.push(Identifier.format(resolved.success))
    }
    if (problems.length > 0) return yield* new InvalidSpec({ spec: "job service", problems })

    const lines = [
      "EXECUTE JOB SERVICE",
      "IN COMPUTE POOL IDENTIFIER(?)",
      "FROM SPECIFICATION $$",
      input.specYaml.replace(/\n$/, ""),
      "$$",
      "NAME = IDENTIFIER(?)",
      "ASYNC = TRUE",
      "REPLICAS = ?"
    ]
    const binds: Array<string | number> = [
      input.computePool,
      Identifier.formatQualified(input.service),
      input.replicas
    ]
    if (input.warehouse !== undefined) {
      lines.push("QUERY_WAREHOUSE = IDENTIFIER(?)")
      binds.push(input.warehouse)
    }
    if (integrations.length > 0) lines.push(`EXTERNAL_ACCESS_INTEGRATIONS = (${integrations.join(", ")})`)
    const statement: BoundStatement = { sql: lines.join("\n"), binds }
    return statement
  })
