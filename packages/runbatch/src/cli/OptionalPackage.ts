/**
 * A package only one command needs, which apps that install runbatch need not carry (the demo's
 * models and images in @runbatch/samples, 16 MB): imported when that command runs. When it is not
 * installed the command fails saying what is missing and how to add it, with exit code 2.
 */
import { Effect } from "effect"

export class MissingPackage extends Error {
  readonly _tag = "MissingPackage"

  constructor(packageName: string, neededBy: string, contents: string) {
    super(
      `${neededBy} needs ${packageName} (${contents}), which is not installed. Add it with: npm install ${packageName}`
    )
  }
}

/**
 * Node could not find the package `name` itself. A package that is there but broken (a file or one
 * of its own dependencies missing) fails differently, and is reported as it is.
 */
const isNotInstalled = (error: unknown, name: string): boolean =>
  error instanceof Error &&
  (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND" &&
  error.message.startsWith(`Cannot find package '${name}' `)

/**
 * `load` (an `import()` of the package `name`), or MissingPackage when it is not installed; `neededBy`
 * and `contents` say who needs it and for what: "runbatch demo", "the demo's models and images".
 */
export const importOptional = <A>(
  name: string,
  neededBy: string,
  contents: string,
  load: () => Promise<A>
): Effect.Effect<A, MissingPackage> =>
  Effect.tryPromise({ try: load, catch: (error) => error }).pipe(
    Effect.catch((error) =>
      isNotInstalled(error, name)
        ? Effect.fail(new MissingPackage(name, neededBy, contents))
        : Effect.die(error)
    )
  )
