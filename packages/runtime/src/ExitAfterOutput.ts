/**
 * Ending the replica process without losing what it wrote. Its stdout is a pipe its supervisor (or, in
 * Snowpark Container Services, the log collector) reads, and on Linux Node writes into a pipe
 * asynchronously: what the reader has not taken yet waits in the process, and `process.exit` drops
 * it. A replica that logged much just before its end lost its last lines, the `done` or `failed`
 * line among them. `exitAfterOutput` sets `process.exitCode` and ends the process once the callback of
 * a last, empty write to stdout and to stderr has run: every byte written before is then the OS's.
 * (It ends the process itself rather than waiting for the event loop to empty: a handle left open
 * must not keep a finished replica alive.)
 */
const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve()
    // Called with an error too (the reader went away): nothing more can arrive then.
    stream.write("", () => resolve())
  })

export const exitAfterOutput = async (code: number): Promise<never> => {
  process.exitCode = code
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  return process.exit()
}
