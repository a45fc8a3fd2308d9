/**
 * Where the CLI writes: its result on stdout, messages and progress on stderr, every byte arriving, in
 * order. A write into a pipe (`runbatch … | wc -l`) completes only as fast as the reader reads; Node
 * keeps the rest queued in the process, and `process.exit` would drop it (a 10 MB result arrived cut
 * at 64 KiB). So the CLI writes only through a Terminal and ends only through `exit`, which sets
 * `process.exitCode` and ends the process once the last write's callback has run on both streams: the
 * OS then holds every byte. (Only then: a handle something left open, such as a query of an
 * interrupted command, must not keep a finished command alive.)
 *
 * When a reader goes away (`runbatch … | head`), the next write fails with EPIPE: from then on nothing
 * more is written, `onClosed` listeners stop the running command, and the exit code is 141 (128 +
 * SIGPIPE), as for a Unix tool that SIGPIPE ended — no message, no stack. Any other write error (a full
 * disk) stops output the same way, with exit code 1 and a line on the other stream if it still works.
 *
 * Plain Node, no effect: help, the version and usage errors write through it and must start fast.
 */
import type { Writable } from "node:stream"

/** The exit code after a reader went away: 128 + SIGPIPE (13). */
export const BROKEN_PIPE = 141

export interface Terminal {
  /** Write to stdout (the command's result). */
  readonly out: (text: string) => void
  /**
   * Write to stdout, resolving once it can take more: at once unless its buffer is full, else when
   * the reader has caught up (or output stopped). A producer that waits on each write keeps memory
   * bounded however slow the reader.
   */
  readonly outPaced: (text: string) => Promise<void>
  /** Write to stderr (messages, progress). */
  readonly err: (text: string) => void
  /** True once a write failed (a reader went away): nothing more is written. */
  readonly closed: () => boolean
  /** Call `listener` once when output stops (at once if it already has). */
  readonly onClosed: (listener: () => void) => void
  /**
   * End the process with `code` — or 141 / 1 if output stopped — once everything written so far has
   * been handed to the OS.
   */
  readonly exit: (code: number) => Promise<never>
}

export const make = (stdout: Writable = process.stdout, stderr: Writable = process.stderr): Terminal => {
  /** The exit code output stopped with, once it has. */
  let stopped: number | undefined
  const failed = new Set<Writable>()
  const listeners: Array<() => void> = []
  const name = (stream: Writable) => (stream === stdout ? "stdout" : "stderr")

  const stop = (stream: Writable, error: unknown) => {
    failed.add(stream)
    if (stopped !== undefined) return
    const code = (error as NodeJS.ErrnoException | undefined)?.code
    stopped = code === "EPIPE" ? BROKEN_PIPE : 1
    process.exitCode = stopped
    if (stopped !== BROKEN_PIPE) {
      const other = stream === stdout ? stderr : stdout
      const message = error instanceof Error ? error.message : String(error)
      if (!failed.has(other)) write(other, `runbatch: cannot write to ${name(stream)}: ${message}\n`, true)
    }
    for (const listener of listeners.splice(0)) listener()
  }

  const write = (stream: Writable, text: string, evenStopped = false) => {
    if ((stopped !== undefined && !evenStopped) || failed.has(stream) || text === "") return
    try {
      stream.write(text)
    } catch (error) {
      // A file or a terminal is written synchronously: its errors are thrown, not emitted.
      stop(stream, error)
    }
  }

  const paced = (stream: Writable, text: string) =>
    new Promise<void>((resolve) => {
      if (stopped !== undefined || failed.has(stream)) return resolve()
      let ready: boolean
      try {
        ready = stream.write(text)
      } catch (error) {
        stop(stream, error)
        return resolve()
      }
      if (ready || stream.destroyed) return resolve()
      const done = () => {
        stream.off("drain", done)
        stream.off("close", done)
        stream.off("error", done)
        resolve()
      }
      stream.on("drain", done)
      stream.on("close", done)
      stream.on("error", done)
    })

  // A pipe's errors arrive as events; without a listener an EPIPE would crash the process.
  for (const stream of [stdout, stderr]) stream.on("error", (error) => stop(stream, error))

  /** After the callback of an empty write, every earlier write of `stream` has reached the OS. */
  const flushed = (stream: Writable) =>
    new Promise<void>((resolve) => {
      if (failed.has(stream) || stream.destroyed) return resolve()
      try {
        stream.write("", () => resolve())
      } catch {
        resolve()
      }
    })

  return {
    out: (text) => write(stdout, text),
    outPaced: (text) => paced(stdout, text),
    err: (text) => write(stderr, text),
    closed: () => stopped !== undefined,
    onClosed: (listener) => {
      if (stopped !== undefined) listener()
      else listeners.push(listener)
    },
    exit: async (code) => {
      process.exitCode = stopped ?? code
      await Promise.all([flushed(stdout), flushed(stderr)])
      process.exitCode = stopped ?? code
      return process.exit()
    }
  }
}
