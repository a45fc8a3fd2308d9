/**
 * Where a path of the embedded account's home really is. The rule every local backend (stages, model
 * versions, databases, job folders) follows:
 *
 * - the home itself may be a symbolic link, or lie under one (`/tmp` is `/private/tmp` on macOS, and
 *   users link a home onto another disk): it is resolved once, to its real path;
 * - below the home, no component of a path that `LocalLayout` builds — `stages/`, `registry/`,
 *   `jobs/`, `warehouse/`, the database, schema, stage, model, version and job folders — may be a
 *   symbolic link, wherever it points (even elsewhere inside the home: a stage linked onto another
 *   stage or a model version would let one name remove or rewrite what belongs to another);
 * - what is below a stage or version folder is the caller's business (`LocalAccount` allows links
 *   that stay inside their stage).
 *
 * `locate` answers with the real path to operate on. The check costs one `realpath` of the path (of
 * its deepest existing folder, for a path about to be created) compared with the path the layout
 * names under the real home; only when they differ are the components looked at one by one, to name
 * the link (or to accept a folder whose name differs only by case on a case-insensitive disk).
 *
 * Node offers no way to walk a path without following links (no `openat` with `O_NOFOLLOW` per
 * component), so a folder swapped for a link between this check and the operation is not caught; the
 * home's owner is the only one who can do that.
 */
import { lstatSync, realpathSync, type Stats } from "node:fs"
import { lstat, realpath } from "node:fs/promises"
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path"

export type Placement =
  /** Every component below the home is a real folder (or does not exist yet): operate on `path`. */
  | { readonly _tag: "Real"; readonly path: string }
  /**
   * `link` (the path as given, up to and including the link) is a symbolic link; `relativeLink` is the
   * same below the home (`stages/ML/PUBLIC/S`). A link whose target is missing counts too.
   */
  | { readonly _tag: "Link"; readonly link: string; readonly relativeLink: string }
  /**
   * A folder or file name of the path (`name`, as the layout spells it) is longer than a filesystem
   * keeps (255 bytes): a long identifier, non-ASCII characters taking 9–12 bytes each once spelt
   * safely. `link` and `relativeLink` are the path up to it, as for a link.
   */
  | {
      readonly _tag: "NameTooLong"
      readonly link: string
      readonly relativeLink: string
      readonly name: string
    }

/** The longest file or folder name most filesystems keep, in bytes. */
export const MAX_NAME_BYTES = 255

/**
 * The first component of `path` below `home` too long to be a file name, as a placement; undefined
 * if none. `locate` checks it first; callers that look at a path otherwise first ask it too.
 */
export const nameTooLong = (home: string, path: string): Placement | undefined =>
  tooLong(home, componentsBelow(home, path) ?? [])

const tooLong = (home: string, parts: ReadonlyArray<string>): Placement | undefined => {
  const at = parts.findIndex((part) => Buffer.byteLength(part) > MAX_NAME_BYTES)
  if (at < 0) return undefined
  return {
    _tag: "NameTooLong",
    link: join(home, ...parts.slice(0, at + 1)),
    relativeLink: parts.slice(0, at + 1).join("/"),
    name: parts[at]!
  }
}

/** Whether `path` is `root` or under it. */
export const isInside = (root: string, path: string): boolean => {
  const rel = relative(root, path)
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code

/** ENOTDIR: a file stands where a folder of the path would be; the rest does not exist either. */
const isMissing = (error: unknown): boolean => codeOf(error) === "ENOENT" || codeOf(error) === "ENOTDIR"

/** lstat, or undefined when nothing (or a file where a folder should be) is in the way. */
const lstatQuietly = (path: string): Stats | undefined => {
  try {
    return lstatSync(path)
  } catch {
    return undefined
  }
}

/**
 * The real path of `path`, or of its deepest existing ancestor joined with the missing rest.
 * Undefined when a missing component is nevertheless there: a symbolic link to nothing, through which
 * a folder or file about to be created could land anywhere.
 */
export const realpathOfExisting = async (path: string): Promise<string | undefined> => {
  const missing: Array<string> = []
  let current = path
  for (;;) {
    try {
      const real = await realpath(current)
      return missing.length === 0 ? real : join(real, ...missing.reverse())
    } catch (error) {
      if (!isMissing(error)) throw error
      if ((await lstat(current).catch(() => undefined))?.isSymbolicLink() === true) return undefined
      const parent = dirname(current)
      if (parent === current) return path
      missing.push(basename(current))
      current = parent
    }
  }
}

/** `realpathOfExisting`, synchronously (the launcher's job folders). */
export const realpathOfExistingSync = (path: string): string | undefined => {
  const missing: Array<string> = []
  let current = path
  for (;;) {
    try {
      const real = realpathSync(current)
      return missing.length === 0 ? real : join(real, ...missing.reverse())
    } catch (error) {
      if (!isMissing(error)) throw error
      if (lstatQuietly(current)?.isSymbolicLink() === true) return undefined
      const parent = dirname(current)
      if (parent === current) return path
      missing.push(basename(current))
      current = parent
    }
  }
}

// A home resolves the same way for the life of the process (it is resolved once, as the rule says);
// only a home that exists is remembered, so one created later resolves then.
const realHomes = new Map<string, string>()

/** The home's real path, every link in it resolved. */
export const realHome = async (home: string): Promise<string> => {
  const known = realHomes.get(home)
  if (known !== undefined) return known
  const real = await realpath(home).catch(() => undefined)
  if (real !== undefined) {
    realHomes.set(home, real)
    return real
  }
  return (await realpathOfExisting(home)) ?? home
}

/** `realHome`, synchronously. */
export const realHomeSync = (home: string): string => {
  const known = realHomes.get(home)
  if (known !== undefined) return known
  try {
    const real = realpathSync(home)
    realHomes.set(home, real)
    return real
  } catch {
    return realpathOfExistingSync(home) ?? home
  }
}

/** The components of `path` below `home`, or undefined when `path` is not under `home`. */
const componentsBelow = (home: string, path: string): Array<string> | undefined => {
  if (!isInside(home, path)) return undefined
  const rel = relative(home, path)
  return rel === "" ? [] : rel.split(sep)
}

const linkAt = (home: string, parts: ReadonlyArray<string>, count: number): Placement => ({
  _tag: "Link",
  link: join(home, ...parts.slice(0, count)),
  relativeLink: parts.slice(0, count).join("/")
})

/**
 * Where `path` — a path under `home` as `LocalLayout` builds it, or under the home's real path (one
 * `locate` returned) — really is: `Real` with the path to operate on (under the home's real path) when
 * no component of it below the home is a symbolic link; `Link` naming the first one otherwise. A path
 * under neither is refused as a link.
 */
export const locate = async (home: string, path: string): Promise<Placement> => {
  const base = await realHome(home)
  const parts = componentsBelow(home, path) ?? componentsBelow(base, path)
  if (parts === undefined) return { _tag: "Link", link: path, relativeLink: path }
  const long = tooLong(home, parts)
  if (long !== undefined) return long
  const expected = join(base, ...parts)
  const real = await realpathOfExisting(path)
  if (real === expected) return { _tag: "Real", path: expected }
  // They differ: find the link (the common case), or learn that the disk spells a name another way.
  for (let count = 1; count <= parts.length; count++) {
    const stats = await lstat(join(home, ...parts.slice(0, count))).catch(() => undefined)
    if (stats === undefined) break
    if (stats.isSymbolicLink()) return linkAt(home, parts, count)
  }
  return real === undefined || !isInside(base, real)
    ? linkAt(home, parts, parts.length)
    : { _tag: "Real", path: real }
}

/** `locate`, synchronously. */
export const locateSync = (home: string, path: string): Placement => {
  const base = realHomeSync(home)
  const parts = componentsBelow(home, path) ?? componentsBelow(base, path)
  if (parts === undefined) return { _tag: "Link", link: path, relativeLink: path }
  const long = tooLong(home, parts)
  if (long !== undefined) return long
  const expected = join(base, ...parts)
  const real = realpathOfExistingSync(path)
  if (real === expected) return { _tag: "Real", path: expected }
  for (let count = 1; count <= parts.length; count++) {
    const stats = lstatQuietly(join(home, ...parts.slice(0, count)))
    if (stats === undefined) break
    if (stats.isSymbolicLink()) return linkAt(home, parts, count)
  }
  return real === undefined || !isInside(base, real)
    ? linkAt(home, parts, parts.length)
    : { _tag: "Real", path: real }
}

/** A layout name as the identifier it spells, when it is one. */
const readable = (name: string): string => {
  try {
    return decodeURIComponent(name.replace(/\.duckdb$/, ""))
  } catch {
    return name
  }
}

/** Why a placement that is not `Real` is refused, for error messages. */
export const linkReason = (placement: Exclude<Placement, { _tag: "Real" }>): string =>
  placement._tag === "NameTooLong"
    ? `the name ${JSON.stringify(readable(placement.name))} takes ${Buffer.byteLength(placement.name)} bytes as a file or folder name, which holds at most ${MAX_NAME_BYTES}: the local account keeps each database, schema, stage and model as a folder (a database as a file), spelling a character other than an ASCII letter, digit, '_', '$' or '-' as 3 bytes per byte of its UTF-8 (é takes 6). Choose a shorter name.`
    : `${placement.relativeLink} is a symbolic link under the runbatch home; runbatch follows no link below its home (the home itself may be one). Replace the link with a real folder (copy or move the data in, or mount it there).`
