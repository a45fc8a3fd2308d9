/**
 * How the long-running scripts (soak, big-job) end: exit 0 when `main` says all is well, 1 otherwise
 * or when it throws (its stack on stderr), after `cleanup` in every case.
 */
export const runScript = (
  name: string,
  main: () => Promise<boolean>,
  cleanup: (ok: boolean) => Promise<void>
): void => {
  main()
    .then(async (ok) => {
      await cleanup(ok)
      process.exit(ok ? 0 : 1)
    })
    .catch(async (error: unknown) => {
      process.stderr.write(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
      )
      await cleanup(false)
      process.exit(1)
    })
}
