import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "@effect/vitest"
import { LocalHome } from "@runbatch/spec"

let root: string
let home: string
beforeEach(() => {
  // Real, so expected paths hold where the temp folder is itself under a link (macOS: /var, /tmp).
  root = realpathSync(mkdtempSync(join(tmpdir(), "runbatch-local-home-")))
  home = join(root, "home")
  mkdirSync(join(home, "stages", "ML", "PUBLIC", "S"), { recursive: true })
  mkdirSync(join(root, "elsewhere", "PUBLIC", "S"), { recursive: true })
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const stage = () => join(home, "stages", "ML", "PUBLIC", "S")

/** `locate` and `locateSync` agree; the answer. */
const both = async (at: string, path: string) => {
  const placement = await LocalHome.locate(at, path)
  expect(LocalHome.locateSync(at, path)).toStrictEqual(placement)
  return placement
}

describe("LocalHome.locate", () => {
  it("gives the real path of a path with no link below the home, existing or not", async () => {
    expect(await both(home, stage())).toStrictEqual({ _tag: "Real", path: stage() })
    expect(await both(home, join(stage(), "new", "file.txt"))).toStrictEqual({
      _tag: "Real",
      path: join(stage(), "new", "file.txt")
    })
    expect(await both(home, join(home, "jobs", "ML"))).toStrictEqual({
      _tag: "Real",
      path: join(home, "jobs", "ML")
    })
  })

  it("allows a home that is itself a link, resolving it to its real path", async () => {
    const link = join(root, "home-link")
    symlinkSync(home, link)
    const path = join(link, "stages", "ML", "PUBLIC", "S", "x")
    expect(await both(link, path)).toStrictEqual({ _tag: "Real", path: join(stage(), "x") })
    // A path given under the real home (one locate returned) is accepted too.
    expect(await both(link, join(stage(), "x"))).toStrictEqual({ _tag: "Real", path: join(stage(), "x") })
  })

  it.each([
    ["the home's stages/ folder", ["stages"]],
    ["the database folder", ["stages", "ML"]],
    ["the schema folder", ["stages", "ML", "PUBLIC"]],
    ["the stage folder", ["stages", "ML", "PUBLIC", "S"]]
  ])("names %s when it is a link, wherever it points", async (_, parts) => {
    const path = join(home, ...parts)
    rmSync(path, { recursive: true })
    symlinkSync(join(root, "elsewhere"), path)
    const placement = await both(home, join(stage(), "x"))
    expect(placement).toStrictEqual({ _tag: "Link", link: path, relativeLink: parts.join("/") })
    expect(LocalHome.linkReason(placement as Extract<typeof placement, { _tag: "Link" }>)).toContain(
      `${parts.join("/")} is a symbolic link`
    )
  })

  it("refuses a link to another folder of the home, and a link to nothing on the way to a new path", async () => {
    symlinkSync(stage(), join(home, "stages", "ML", "PUBLIC", "ALIAS"))
    expect(await both(home, join(home, "stages", "ML", "PUBLIC", "ALIAS", "x"))).toMatchObject({
      _tag: "Link",
      relativeLink: "stages/ML/PUBLIC/ALIAS"
    })
    symlinkSync(join(root, "not-yet"), join(stage(), "dangling"))
    expect(await both(home, join(stage(), "dangling", "new", "x"))).toMatchObject({
      _tag: "Link",
      relativeLink: "stages/ML/PUBLIC/S/dangling"
    })
  })

  it("refuses a file that is a link, and a path outside the home", async () => {
    writeFileSync(join(root, "secret"), "s")
    symlinkSync(join(root, "secret"), join(stage(), "leak"))
    expect(await both(home, join(stage(), "leak"))).toMatchObject({
      _tag: "Link",
      relativeLink: "stages/ML/PUBLIC/S/leak"
    })
    expect(await both(home, join(root, "secret"))).toMatchObject({ _tag: "Link" })
  })

  it("realpathOfExisting: the real path of the deepest existing folder and the rest; undefined through a link to nothing", async () => {
    expect(await LocalHome.realpathOfExisting(join(stage(), "a", "b"))).toBe(join(stage(), "a", "b"))
    symlinkSync(join(root, "nowhere"), join(stage(), "dangling"))
    expect(await LocalHome.realpathOfExisting(join(stage(), "dangling", "b"))).toBeUndefined()
    expect(LocalHome.realpathOfExistingSync(join(stage(), "dangling", "b"))).toBeUndefined()
  })
})
