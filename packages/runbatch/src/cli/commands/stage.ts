/**
 * The `runbatch stage …` commands: copy files onto and off a stage, list and remove them. What they
 * do, loaded only when one of them runs; their words, options and help are data in ./index.ts.
 */
import { createHash } from "node:crypto"
import { createReadStream, mkdirSync, writeFileSync } from "node:fs"
import { stat } from "node:fs/promises"
import { basename, dirname, join, relative, resolve } from "node:path"
import { JobLauncher } from "@runbatch/spcs-launcher"
import { StageLocation } from "@runbatch/spec"
import { OutputLayout, planPut, SaveMode, StageStore } from "@runbatch/stage-io"
import { Effect, Option } from "effect"
import * as ClaimHolder from "../../ClaimHolder.ts"
import { type AccountData, type CommandRun, positional, stringOption, UsageError } from "../Command.ts"
import { rows, text } from "../Output.ts"

/** Whether two local files hold the same bytes (sizes first, then SHA-256 of each, streamed). */
const sameBytes = (a: string, b: string) =>
  Effect.promise(async () => {
    if ((await stat(a)).size !== (await stat(b)).size) return false
    const digest = async (path: string) => {
      const hash = createHash("sha256")
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
      return hash.digest("hex")
    }
    return (await digest(a)) === (await digest(b))
  })

/**
 * Files whose target already exists are skipped and reported, as Snowflake's PUT reports SKIPPED;
 * where the stage is a local folder, a skipped file whose content differs from the local one says so.
 */
export const stagePut: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    if (args.positionals.length < 2) throw new UsageError("give one or more local files and a stage folder")
    const target = args.positionals.at(-1)!
    if (!target.startsWith("@"))
      throw new UsageError(`the last argument must be a stage location, got "${target}"`)
    const folder = target.endsWith("/") ? target : `${target}/`
    const store = yield* StageStore
    const planned = yield* planPut(
      args.positionals.slice(0, -1).map((local) => resolve(local)),
      yield* StageLocation.parse(folder, store.context)
    )
    const fresh: Array<{ readonly file: string; readonly location: string }> = []
    const skipped: Array<{ readonly file: string; readonly location: string; readonly differs?: boolean }> =
      []
    for (const { file, location } of planned) {
      const formatted = StageLocation.format(location)
      if (!(yield* store.exists(formatted))) {
        fresh.push({ file, location: formatted })
        continue
      }
      const stagePath = yield* store.localPath(formatted)
      skipped.push({
        file,
        location: formatted,
        ...(stagePath === undefined ? {} : { differs: !(yield* sameBytes(file, stagePath)) })
      })
    }
    const written: Array<string> = []
    for (const { file, location } of fresh) written.push(...(yield* store.put(file, location)))
    const lines = [
      `Put ${written.length} file(s) under ${folder}`,
      ...(skipped.length === 0
        ? []
        : [
            `Skipped ${skipped.length} file(s) already on the stage (never overwritten; remove them first with runbatch stage rm):`,
            ...skipped.map((s) => `  ${s.location}${s.differs === true ? ` (differs from ${s.file})` : ""}`)
          ])
    ]
    return text(lines.join("\n"), { written, skipped })
  })

export const stageList: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const location = positional(args, 0, "a stage location")
    const pattern = stringOption(args, "pattern")
    const store = yield* StageStore
    const entries = (yield* store.list(location, pattern === undefined ? {} : { pattern })).filter(
      (e) => !OutputLayout.isStageReserved(e.path)
    )
    return rows(
      ["name", "size", "md5", "last_modified"],
      entries.map((e) => ({ name: e.location, size: e.size, md5: e.md5, last_modified: e.lastModified }))
    )
  })

export const stageGet: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const location = positional(args, 0, "a stage location")
    const target = resolve(positional(args, 1, "a local folder"))
    const pattern = stringOption(args, "pattern")
    const store = yield* StageStore
    const parsed = yield* StageLocation.parse(location, store.context)
    const entries = (yield* store.list(location, {
      withoutMd5: true,
      ...(pattern === undefined ? {} : { pattern })
    })).filter((e) => !OutputLayout.isStageReserved(e.path))
    const base = parsed.isDirectory ? parsed.path : dirname(parsed.path)
    const copied: Array<string> = []
    for (const entry of entries) {
      const inside = base === "" || base === "." ? entry.path : relative(base, entry.path)
      const path = join(target, inside === "" ? basename(entry.path) : inside)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, yield* store.readBytes(entry.location, { maxBytes: 2 ** 31 - 1 }))
      copied.push(path)
    }
    return text(`Got ${copied.length} file(s) into ${target}`, copied)
  })

export const stageRemove: CommandRun<AccountData> = (args) =>
  Effect.gen(function* () {
    const location = positional(args, 0, "a stage location")
    const store = yield* StageStore
    // Never under a running job: its committed parts must stay until it has finished. Without a
    // launcher (a Snowflake connection: this version runs no jobs there) no claim can be a running job's.
    const launcher = yield* Effect.serviceOption(JobLauncher)
    yield* SaveMode.refuseRemovingClaimed(
      yield* StageLocation.parse(location, store.context),
      Option.isSome(launcher) ? ClaimHolder.isActive(launcher.value) : () => Effect.succeed(false)
    )
    const removed = yield* store.remove(location)
    return text(`Removed ${removed} file(s).`, { removed })
  })
