/**
 * The PluginHost: which encoders and engines this process can use. Built from an explicit list — the
 * first-party ids plus the packages in the `plugins` setting; never a scan of node_modules — it reads
 * and checks every manifest (kind, id, apiVersion, the `@runbatch/plugin-api` peer range, unique ids)
 * before any plugin code runs, and imports a plugin's code only when a job needs it.
 *
 * Ids and column-handling pairs are open: a third-party encoder serving a new `convertTo` is found the
 * same way as a first-party one, with no change here.
 */
import { pathToFileURL } from "node:url"
import {
  type Encoder,
  type Engine,
  Manifest,
  PLUGIN_API_PACKAGE_VERSION,
  PLUGIN_API_VERSION,
  SUPPORTED_API_VERSIONS
} from "@runbatch/plugin-api"
import {
  type DuplicateDependency,
  DuplicatePluginId,
  EntryPoint,
  IncompatiblePlugin,
  type InvalidPluginManifest,
  PluginNotFound,
  SharedLibraries
} from "@runbatch/spec"
import { Context, Effect, Layer } from "effect"
import semver from "semver"
import { FIRST_PARTY_PLUGINS, type FirstPartyPlugin } from "./FirstPartyPlugins.ts"
import * as PackageLocator from "./PackageLocator.ts"
import { findUnlisted } from "./UnlistedPlugins.ts"

export interface PluginRecord {
  readonly manifest: Manifest.PluginManifest
  readonly packageName: string
  readonly version: string
  readonly directory: string
  /** One of runbatch's own plugins (found without being listed). */
  readonly firstParty: boolean
  /** What it was found by: its package name, or the absolute folder of a plugin given by path. */
  readonly specifier: string
}

/** How a job plan records a plugin, so replicas can check they load the same code. */
export interface PlannedPlugin {
  readonly kind: "encoder" | "engine"
  readonly id: string
  readonly packageName: string
  readonly version: string
  readonly integrity: string
  /** What replicas load it by: a package name, or the absolute folder of a plugin given by path. */
  readonly specifier: string
}

export interface LoadedEngine {
  readonly record: PluginRecord
  readonly engine: Engine
}

export interface LoadedEncoder {
  readonly record: PluginRecord
  readonly encoder: Encoder
  readonly handle: Manifest.EncoderHandle
}

export type LoadError = PluginNotFound | IncompatiblePlugin

export interface PluginHostShape {
  readonly records: ReadonlyArray<PluginRecord>
  /** The engine with this id (case-insensitive), its code loaded. */
  readonly engine: (id: string) => Effect.Effect<LoadedEngine, LoadError>
  /** The encoder serving a column-handling pair, its code loaded. */
  readonly encoder: (inputFormat: string, convertTo: string) => Effect.Effect<LoadedEncoder, LoadError>
  /** The plan entry for a plugin: package, version and a hash of its installed files. */
  readonly plan: (record: PluginRecord) => Effect.Effect<PlannedPlugin>
  /** Check that the plugins a plan recorded are installed here, with the same versions and files. */
  readonly verify: (planned: ReadonlyArray<PlannedPlugin>) => Effect.Effect<void, LoadError>
}

export interface PluginHostOptions {
  /** Packages (names, or paths to package folders) to load besides the first-party ones. */
  readonly plugins?: ReadonlyArray<string>
  /** Look for the first-party plugins too (default true). */
  readonly firstParty?: boolean
  /** Folders to resolve packages from, in order (default: the working directory, then this package). */
  readonly searchFrom?: ReadonlyArray<string>
  /** Export conditions for plugin entry points (default Node's: node, import, default). */
  readonly conditions?: ReadonlyArray<string>
}

export type HostError =
  | PluginNotFound
  | InvalidPluginManifest
  | IncompatiblePlugin
  | DuplicatePluginId
  | DuplicateDependency

const pairKey = (inputFormat: string, convertTo: string) =>
  `${inputFormat.trim().toLowerCase()} → ${convertTo.trim().toLowerCase()}`

const describePair = (inputFormat: string, convertTo: string) =>
  `input_format ${inputFormat} with convert_to ${convertTo}`

/**
 * Check one package: its manifest, API version and peer range, and that its code would use the copies
 * of effect, apache-arrow and runbatch's shared packages this process has loaded (SharedLibraries).
 */
const admit = (
  pkg: PackageLocator.InstalledPackage,
  firstParty: boolean,
  specifier: string
): Effect.Effect<PluginRecord, InvalidPluginManifest | IncompatiblePlugin | DuplicateDependency> =>
  Effect.gen(function* () {
    const manifest = yield* Manifest.fromPackageJson(pkg.packageJson)
    if (!SUPPORTED_API_VERSIONS.includes(manifest.apiVersion)) {
      return yield* new IncompatiblePlugin({
        packageName: pkg.name,
        reason: `it was written for plugin API ${manifest.apiVersion}; this runbatch speaks plugin API ${PLUGIN_API_VERSION}. Install a version of the plugin made for it.`
      })
    }
    const peers = pkg.packageJson["peerDependencies"] as Record<string, string> | undefined
    const range = peers?.["@runbatch/plugin-api"]
    if (
      range !== undefined &&
      !semver.satisfies(PLUGIN_API_PACKAGE_VERSION, range, { includePrerelease: true })
    ) {
      return yield* new IncompatiblePlugin({
        packageName: pkg.name,
        reason: `it needs @runbatch/plugin-api ${range}, and this runbatch has ${PLUGIN_API_PACKAGE_VERSION}.`
      })
    }
    const [conflict] = SharedLibraries.conflicts(pkg.directory, pkg.name)
    if (conflict !== undefined) return yield* conflict
    return {
      manifest,
      packageName: pkg.name,
      version: pkg.version,
      directory: pkg.directory,
      firstParty,
      specifier
    }
  })

/** Import a plugin's code and check its default export is what its manifest announced. */
const importPlugin = (
  record: PluginRecord,
  conditions: ReadonlyArray<string>
): Effect.Effect<Encoder | Engine, IncompatiblePlugin> =>
  Effect.gen(function* () {
    const incompatible = (reason: string) =>
      new IncompatiblePlugin({ packageName: record.packageName, reason })
    const pkg = PackageLocator.locate(record.directory, [])
    const entry = pkg === undefined ? undefined : PackageLocator.entryPoint(pkg, conditions)
    if (entry === undefined) {
      return yield* incompatible(
        "its package.json names no entry point that exists inside its package (exports or main must name a file in the package's own folder, not one reached by ../, an absolute path or a link out of it)."
      )
    }
    const module = yield* Effect.tryPromise({
      try: () => import(pathToFileURL(entry).href) as Promise<{ readonly default?: unknown }>,
      catch: (error) =>
        incompatible(`loading its code failed: ${error instanceof Error ? error.message : String(error)}`)
    })
    const plugin = module.default as
      | { readonly kind?: unknown; readonly id?: unknown; readonly apiVersion?: unknown }
      | undefined
    if (plugin === undefined || typeof plugin !== "object") {
      return yield* incompatible(
        "it has no default export; export the result of defineEncoder or defineEngine as default."
      )
    }
    if (plugin.kind !== record.manifest.kind) {
      return yield* incompatible(
        `its manifest says ${record.manifest.kind} but its default export is ${String(plugin.kind)}.`
      )
    }
    if (plugin.id !== record.manifest.id) {
      return yield* incompatible(
        `its manifest id is '${record.manifest.id}' but its code says '${String(plugin.id)}'.`
      )
    }
    if (plugin.apiVersion !== record.manifest.apiVersion) {
      return yield* incompatible(
        `its code was built for plugin API ${String(plugin.apiVersion)}, its manifest says ${record.manifest.apiVersion}.`
      )
    }
    return plugin as unknown as Encoder | Engine
  })

export class PluginHost extends Context.Service<PluginHost, PluginHostShape>()(
  "@runbatch/plugin-host/PluginHost"
) {
  /** The host for this process: first-party plugins that are installed, plus the listed ones. */
  static readonly layer = (options: PluginHostOptions = {}): Layer.Layer<PluginHost, HostError> =>
    Layer.effect(PluginHost, makePluginHost(options))
}

/** The first-party plugins that are installed (unless turned off), then the listed packages. */
const collectRecords = (
  options: PluginHostOptions,
  searchFrom: ReadonlyArray<string>
): Effect.Effect<Array<PluginRecord>, HostError> =>
  Effect.gen(function* () {
    const records: Array<PluginRecord> = []
    const seen = new Set<string>()
    const add = (pkg: PackageLocator.InstalledPackage, firstParty: boolean, given: string) =>
      Effect.gen(function* () {
        if (seen.has(pkg.directory)) return
        seen.add(pkg.directory)
        // A package given by name is found by name again anywhere; one given by path, by its folder.
        records.push(yield* admit(pkg, firstParty, given === pkg.name ? given : pkg.directory))
      })
    if (options.firstParty !== false) {
      for (const plugin of FIRST_PARTY_PLUGINS) {
        // A first-party plugin that is not installed is only an error when a job needs it.
        const pkg = PackageLocator.locate(plugin.packageName, searchFrom)
        if (pkg !== undefined) yield* add(pkg, true, plugin.packageName)
      }
    }
    for (const specifier of options.plugins ?? []) {
      const pkg = PackageLocator.locate(specifier, searchFrom)
      if (pkg === undefined) {
        return yield* new PluginNotFound({
          kind: "package",
          request: specifier,
          installed: records.map((r) => r.packageName),
          install: specifier
        })
      }
      yield* add(pkg, false, specifier)
    }
    return records
  })

interface RecordIndex {
  /** By `kind:id`. */
  readonly byId: ReadonlyMap<string, PluginRecord>
  /** Encoders by column-handling pair (pairKey). */
  readonly byPair: ReadonlyMap<
    string,
    { readonly record: PluginRecord; readonly handle: Manifest.EncoderHandle }
  >
}

/** Index the records by id and by pair, refusing two plugins with one id or one pair. */
const indexRecords = (records: ReadonlyArray<PluginRecord>): Effect.Effect<RecordIndex, DuplicatePluginId> =>
  Effect.gen(function* () {
    const byId = new Map<string, PluginRecord>()
    const byPair = new Map<
      string,
      { readonly record: PluginRecord; readonly handle: Manifest.EncoderHandle }
    >()
    for (const record of records) {
      const key = `${record.manifest.kind}:${record.manifest.id}`
      const clash = byId.get(key)
      if (clash !== undefined) {
        return yield* new DuplicatePluginId({
          id: record.manifest.id,
          packages: [clash.packageName, record.packageName]
        })
      }
      byId.set(key, record)
      if (record.manifest.kind !== "encoder") continue
      for (const handle of record.manifest.handles) {
        const pair = pairKey(handle.inputFormat, handle.convertTo)
        const other = byPair.get(pair)
        if (other !== undefined) {
          return yield* new DuplicatePluginId({
            id: `${other.record.manifest.id} / ${record.manifest.id} (both handle ${pair})`,
            packages: [other.record.packageName, record.packageName]
          })
        }
        byPair.set(pair, { record, handle })
      }
    }
    return { byId, byPair }
  })

/** A plugin's code, imported once however many times a job asks for it. */
const codeLoader = (conditions: ReadonlyArray<string>) => {
  const loaded = new Map<string, Effect.Effect<Encoder | Engine, IncompatiblePlugin>>()
  return (record: PluginRecord): Effect.Effect<Encoder | Engine, IncompatiblePlugin> =>
    Effect.suspend(() => {
      const cached = loaded.get(record.directory)
      if (cached !== undefined) return cached
      return Effect.flatMap(Effect.cached(importPlugin(record, conditions)), (once) => {
        loaded.set(record.directory, once)
        return once
      })
    })
}

/**
 * Why no plugin serves a request: a first-party package to install, or an installed package that
 * serves it but was not listed (UnlistedPlugins), or neither.
 */
const notFound = (
  records: ReadonlyArray<PluginRecord>,
  searchFrom: ReadonlyArray<string>,
  request: {
    readonly kind: "engine" | "encoder"
    readonly request: string
    readonly installed: ReadonlyArray<string>
    readonly firstParty: FirstPartyPlugin | undefined
    readonly serves: (manifest: Manifest.PluginManifest) => boolean
  }
): PluginNotFound => {
  const base = { kind: request.kind, request: request.request, installed: request.installed }
  if (request.firstParty !== undefined)
    return new PluginNotFound({ ...base, install: request.firstParty.packageName })
  const known = new Set([
    ...records.map((r) => r.packageName),
    ...FIRST_PARTY_PLUGINS.map((p) => p.packageName)
  ])
  const unlisted = findUnlisted(searchFrom, request.serves, known)
  return new PluginNotFound(unlisted === undefined ? base : { ...base, unlisted })
}

/** The plan entry of a record, its integrity hashed once per package folder. */
const planner = (): PluginHostShape["plan"] => {
  const integrities = new Map<string, string>()
  return (record) =>
    Effect.sync(() => {
      let hash = integrities.get(record.directory)
      if (hash === undefined) {
        hash = PackageLocator.integrity(PackageLocator.locate(record.directory, [])!)
        integrities.set(record.directory, hash)
      }
      return {
        kind: record.manifest.kind,
        id: record.manifest.id,
        packageName: record.packageName,
        version: record.version,
        integrity: hash,
        specifier: record.specifier
      }
    })
}

export const makePluginHost = (options: PluginHostOptions = {}): Effect.Effect<PluginHostShape, HostError> =>
  Effect.gen(function* () {
    const searchFrom = options.searchFrom ?? [process.cwd(), new URL(".", import.meta.url).pathname]
    // A plugin's entry point is picked as this process resolves packages (its --conditions included).
    const load = codeLoader(options.conditions ?? EntryPoint.conditions())
    const records = yield* collectRecords(options, searchFrom)
    const { byId, byPair } = yield* indexRecords(records)

    const engine: PluginHostShape["engine"] = (id) =>
      Effect.gen(function* () {
        const wanted = id.trim().toLowerCase()
        const record = byId.get(`engine:${wanted}`)
        if (record === undefined) {
          return yield* notFound(records, searchFrom, {
            kind: "engine",
            request: id,
            installed: records.filter((r) => r.manifest.kind === "engine").map((r) => r.manifest.id),
            firstParty: FIRST_PARTY_PLUGINS.find((p) => p.kind === "engine" && p.id === wanted),
            serves: (manifest) => manifest.kind === "engine" && manifest.id === wanted
          })
        }
        return { record, engine: (yield* load(record)) as Engine }
      })

    const encoder: PluginHostShape["encoder"] = (inputFormat, convertTo) =>
      Effect.gen(function* () {
        const pair = pairKey(inputFormat, convertTo)
        const found = byPair.get(pair)
        if (found === undefined) {
          return yield* notFound(records, searchFrom, {
            kind: "encoder",
            request: describePair(inputFormat, convertTo),
            installed: [...byPair.keys()],
            firstParty: FIRST_PARTY_PLUGINS.find((p) =>
              p.handles?.some((h) => pairKey(h.inputFormat, h.convertTo) === pair)
            ),
            serves: (manifest) =>
              manifest.kind === "encoder" &&
              manifest.handles.some((h) => pairKey(h.inputFormat, h.convertTo) === pair)
          })
        }
        return { record: found.record, handle: found.handle, encoder: (yield* load(found.record)) as Encoder }
      })

    const plan = planner()
    const verify: PluginHostShape["verify"] = (planned) =>
      Effect.gen(function* () {
        for (const wanted of planned) {
          const record = byId.get(`${wanted.kind}:${wanted.id}`)
          if (record === undefined) {
            return yield* new PluginNotFound({
              kind: wanted.kind,
              request: wanted.id,
              installed: records.filter((r) => r.manifest.kind === wanted.kind).map((r) => r.manifest.id),
              install: `${wanted.packageName}@${wanted.version}`
            })
          }
          const here = yield* plan(record)
          if (
            here.packageName !== wanted.packageName ||
            here.version !== wanted.version ||
            here.integrity !== wanted.integrity
          ) {
            return yield* new IncompatiblePlugin({
              packageName: wanted.packageName,
              reason: `the job was planned with ${wanted.packageName}@${wanted.version} (${wanted.integrity}) but this machine has ${here.packageName}@${here.version} (${here.integrity}). Install the same version, or run the job again.`
            })
          }
        }
      })

    return { records, engine, encoder, plan, verify }
  })
