import { Schema } from "effect"

const CopyOf = Schema.Struct({
  version: Schema.String,
  directory: Schema.String,
  /** The packages that load this copy. */
  usedBy: Schema.String
})

/**
 * An app holds two copies of a library whose objects cross runbatch's package boundaries (effect,
 * apache-arrow, @runbatch/spec, @runbatch/plugin-api): what one copy makes, the other does not
 * recognise, so runbatch refuses to load rather than fail jobs later.
 */
export class DuplicateDependency extends Schema.TaggedError<DuplicateDependency>()("DuplicateDependency", {
  library: Schema.String,
  copies: Schema.Array(CopyOf)
}) {
  override get message(): string {
    const copies = this.copies
      .map((c) => `${c.version} at ${c.directory} (used by ${c.usedBy})`)
      .join(" and ")
    const newest =
      [...this.copies]
        .map((c) => c.version)
        .sort(compareVersions)
        .at(-1) ?? "VERSION"
    return (
      `Two copies of ${this.library} are installed, and runbatch's packages must share one: ${copies}. ` +
      `Objects made by one copy (schemas, errors, Arrow tables) are not recognised by the other. ` +
      `Fix: install one version for the whole app — \`npm ls ${this.library}\` shows who asks for which; ` +
      `make every @runbatch package the same version and run \`npm dedupe\`, or add ` +
      `"overrides": { "${this.library}": "${newest}" } to your package.json and install again.`
    )
  }
}

/** Dotted versions by their numbers (pre-release tags compare as text). */
const compareVersions = (a: string, b: string): number => {
  const pa = a.split(/[.-]/)
  const pb = b.split(/[.-]/)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? ""
    const y = pb[i] ?? ""
    const nx = Number(x)
    const ny = Number(y)
    const order = Number.isInteger(nx) && Number.isInteger(ny) ? nx - ny : x.localeCompare(y)
    if (order !== 0) return order
  }
  return 0
}
