import type { BenchmarkRecord } from "./record.ts"

// What run-one.js sends its parent over the IPC channel. stdout is not used for it, so a benchmark
// may print whatever it likes (the harness shows the child's stdout on stderr).
export type ChildMessage =
  | { readonly kind: "record"; readonly record: BenchmarkRecord }
  | { readonly kind: "error"; readonly message: string }

export interface RunOneArguments {
  readonly name: string
  readonly quick: boolean
  readonly registryPath: string | undefined
}

export const runOneArgv = ({ name, quick, registryPath }: RunOneArguments): ReadonlyArray<string> => [
  name,
  ...(quick ? ["--quick"] : []),
  ...(registryPath === undefined ? [] : ["--registry", registryPath])
]
