/**
 * One mutex per database file for the whole process. DuckDB's file locks are POSIX record locks, held
 * by the process: they do not keep two DuckDB instances of one process apart, and closing either drops
 * the lock of both, so this process's operations on a file take turns here first.
 */
import { Effect, type Scope, Semaphore } from "effect"

const fileMutexes = new Map<string, Semaphore.Semaphore>()

const mutexFor = (path: string): Semaphore.Semaphore => {
  let mutex = fileMutexes.get(path)
  if (mutex === undefined) {
    mutex = Semaphore.makeUnsafe(1)
    fileMutexes.set(path, mutex)
  }
  return mutex
}

/**
 * Hold the mutexes of `paths` until the scope closes, taken in sorted order, so two operations never
 * wait on each other.
 */
export const takeFileMutexes = (paths: ReadonlyArray<string>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.forEach([...new Set(paths)].sort(), (path) => Semaphore.takeScoped(mutexFor(path), 1), {
    discard: true
  })
