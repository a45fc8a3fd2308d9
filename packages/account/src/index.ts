/**
 * @runbatch/account — the account a process works in. Today the embedded local account: a home folder
 * (`RUNBATCH_HOME`, default `./.runbatch`), the current database and schema, and where a stage location
 * or a model version file lies under the home, checked against symbolic links. Stages, the registry,
 * the Sql service and the launcher all resolve their paths through it; it loads no DuckDB, so a replica
 * that needs only stage files stays light.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * from "./LocalAccount.ts"
