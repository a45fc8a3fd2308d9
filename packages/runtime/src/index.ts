/**
 * @runbatch/runtime — the replica: `runReplica` (and the `runbatch-replica` command) runs one replica
 * of a job plan.
 */
// First: a second copy of a shared library fails here, by name, before any other module uses one.
import "./SharedLibrariesCheck.ts"

export * as BatchAssembly from "./BatchAssembly.ts"
export * from "./Coordinator.ts"
export * as EngineCall from "./EngineCall.ts"
export * as FeatureColumns from "./FeatureColumns.ts"
export * as HostCapabilities from "./HostCapabilities.ts"
export * from "./Progress.ts"
export * from "./Replica.ts"
export * as ReplicaCommand from "./ReplicaCommand.ts"
export * from "./ReplicaMonitor.ts"
export * from "./SampleRun.ts"
export * as ShardReader from "./ShardReader.ts"
