/**
 * A file of this package's build, for code started in another process. Under a TypeScript runner
 * (tests, the `@runbatch/source` condition) modules run from src/ as .ts while new processes need
 * JavaScript, so the build in dist/ is used either way (`tsc -b` first).
 */
export const builtFile = (name: string): URL =>
  import.meta.url.endsWith(".ts")
    ? new URL(`../dist/${name}`, import.meta.url)
    : new URL(`./${name}`, import.meta.url)
