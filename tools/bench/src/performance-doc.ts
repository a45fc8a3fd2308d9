export const beginMarker = "<!-- bench:begin -->"
export const endMarker = "<!-- bench:end -->"

/** What docs/performance.md starts as; everything outside the markers is left to people. */
export const newPerformanceDoc = (): string => `# Performance

Each benchmark runs one part of runbatch and a reference that does the same work (the reference
column) on the same data, in the same process. rows/s is rows ÷ seconds of the timed part.
**ratio = rows/s ÷ reference rows/s, so higher is better**: above 1, runbatch is faster than the
reference. Peak RSS is the benchmark process's maximum resident memory, each benchmark in a
process of its own.

Reproduce with \`npm run bench\` (full size; rewrites the table below) or
\`npm run bench -- --quick\` (small data, under two minutes, prints JSON lines and leaves this
page alone). \`npm run bench -- --only gbdt,mlp\` runs some of them. See tools/bench/README.md.

${beginMarker}
${endMarker}
`

/** Replaces what is between the markers with section; the markers and all text outside them stay as they are. */
export const replaceGeneratedSection = (doc: string, section: string): string => {
  const begin = doc.indexOf(beginMarker)
  const end = doc.indexOf(endMarker)
  if (begin === -1 && end === -1) {
    const separator = doc.length === 0 || doc.endsWith("\n") ? "" : "\n"
    return `${doc}${separator}\n${beginMarker}\n${section}\n${endMarker}\n`
  }
  if (begin === -1 || end === -1 || end < begin || doc.indexOf(beginMarker, begin + 1) !== -1) {
    throw new Error(
      `expected one ${beginMarker} followed by one ${endMarker}; fix the markers by hand and run the benchmarks again`
    )
  }
  return `${doc.slice(0, begin + beginMarker.length)}\n${section}\n${doc.slice(end)}`
}
