// The direction of imports between workspace packages, as data. Source of truth: design.md §2
// ("Packages and the direction of imports", the "may import" column and the rules under it).
// Change this file and design.md §2 together.

/** Which workspace packages a core package may import. Keys and values are workspace folders. */
export type AllowedImports =
  | { readonly only: ReadonlyArray<string> }
  /** Every core package (never a plugin), except those listed. */
  | { readonly anyCoreExcept: ReadonlyArray<string> }

export const coreBoundaries: Readonly<Record<string, AllowedImports>> = {
  "packages/spec": { only: [] },
  "packages/plugin-api": { only: ["packages/spec"] },
  // The account a process works in; light (no DuckDB), so stage files and replicas can use it alone.
  "packages/account": { only: ["packages/spec"] },
  // listStageFiles (a relation of a stage's files) lists them through the StageStore.
  "packages/session": { only: ["packages/spec", "packages/account", "packages/stage-io"] },
  // Never the session: a replica reads and writes stage files without loading DuckDB.
  "packages/stage-io": { only: ["packages/spec", "packages/account"] },
  // The session for the Snowflake registry, which runs its SQL over a SnowflakeSession's login.
  "packages/registry-client": { only: ["packages/spec", "packages/account", "packages/session"] },
  "packages/plugin-host": { only: ["packages/spec", "packages/plugin-api"] },
  // The client's job planning, shared by the facade (runBatch, dry run, resume) and testkit's stager.
  "packages/planner": {
    only: [
      "packages/spec",
      "packages/plugin-api",
      "packages/session",
      "packages/stage-io",
      "packages/registry-client",
      "packages/plugin-host"
    ]
  },
  // What HTTP plugins opt into beside the contract: an endpoint, engine options, JSON columns.
  "packages/plugin-http": { only: ["packages/spec", "packages/plugin-api"] },
  // The conformance suites a plugin author installs: the contract and an in-memory host, nothing heavy.
  "packages/plugin-conformance": { only: ["packages/spec", "packages/plugin-api"] },
  // plugin-http for its Redaction: the runtime masks the secrets HTTP plugins read in every message.
  "packages/runtime": {
    only: [
      "packages/spec",
      "packages/plugin-api",
      "packages/plugin-http",
      "packages/plugin-host",
      "packages/stage-io"
    ]
  },
  // It starts a replica command it is given; it never imports the runtime.
  "packages/spcs-launcher": { only: ["packages/spec", "packages/session", "packages/stage-io"] },
  // A Snowflake-protocol server over the embedded account: it runs statements on the session's Sql and
  // stages' folders (later the registry and the launcher); it never imports snowflake-sdk (its tests do).
  "packages/emulator": {
    only: [
      "packages/spec",
      "packages/account",
      "packages/session",
      "packages/stage-io",
      "packages/registry-client",
      "packages/spcs-launcher"
    ]
  },
  // The facade depends on the first-party plugins (so they are installed) but never imports them,
  // and testkit is a devDependency only, so the facade never ships it.
  "packages/runbatch": { anyCoreExcept: ["packages/testkit"] },
  "packages/testkit": { anyCoreExcept: [] },
  // Sample models and data (the demo's too): pure builders and generators, no runbatch imports.
  "packages/samples": { only: [] }
}

/**
 * What a plugin may import, and what a core package missing from the table above may import: the
 * contract, and the HTTP helpers a plugin opts into.
 */
export const contractPackages: ReadonlyArray<string> = [
  "packages/plugin-api",
  "packages/plugin-http",
  "packages/spec"
]

/** Who may import a native module: these folders, plus optionally every tool or encoder plugin. */
export interface NativeModuleOwners {
  readonly packages: ReadonlyArray<string>
  readonly tools: boolean
  /** Plugins whose manifest kind is "encoder" (or, before they have a manifest, folders encoder-*). */
  readonly encoderPlugins: boolean
}

// A native module is owned so that its install cost and platform quirks stay in one place.
export const nativeModuleOwners: Readonly<Record<string, NativeModuleOwners>> = {
  "onnxruntime-node": {
    packages: ["plugins/engine-onnx", "packages/testkit"],
    tools: true,
    encoderPlugins: false
  },
  // samples draws text-line images for the demo, tests and benchmarks.
  sharp: {
    packages: ["plugins/engine-onnx", "packages/testkit", "packages/samples"],
    tools: true,
    encoderPlugins: true
  },
  "snowflake-sdk": {
    packages: [
      "packages/session",
      "packages/stage-io",
      "packages/registry-client",
      "packages/spcs-launcher",
      "packages/testkit"
    ],
    tools: true,
    encoderPlugins: false
  }
}
