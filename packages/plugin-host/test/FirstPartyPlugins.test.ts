/**
 * The first-party list is what the host offers without being told, and the install hints it gives:
 * each entry must agree with the manifest its package actually ships (read, never imported).
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { FIRST_PARTY_PLUGINS, PackageLocator } from "@runbatch/plugin-host"

const repo = fileURLToPath(new URL("../../..", import.meta.url))

describe("the first-party plugins", () => {
  it.each(FIRST_PARTY_PLUGINS.map((p) => [p.packageName, p] as const))(
    "%s: installed, and its kind, id and column-handling pairs are its manifest's",
    (_, plugin) => {
      const pkg = PackageLocator.locate(plugin.packageName, [repo])
      expect(pkg).toBeDefined()
      const manifest = pkg!.packageJson["runbatch"] as {
        kind: string
        id: string
        handles?: ReadonlyArray<{ inputFormat: string; convertTo: string }>
      }
      expect({ kind: manifest.kind, id: manifest.id }).toEqual({ kind: plugin.kind, id: plugin.id })
      if (plugin.kind === "encoder") {
        const pairs = (manifest.handles ?? []).map((h) => ({
          inputFormat: h.inputFormat,
          convertTo: h.convertTo
        }))
        expect(plugin.handles).toEqual(pairs)
      }
    }
  )
})
