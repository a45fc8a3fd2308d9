/** Edit distance (Levenshtein), case-insensitive, used to suggest what the user probably meant. */
const distance = (a: string, b: string): number => {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const current = [i]
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[y.length]!
}

/**
 * The candidates closest to `target`, best first: at most `limit`, and only those within a distance
 * that still looks like a typo (a third of the longer name, at least 2).
 */
export const closestNames = (target: string, candidates: Iterable<string>, limit = 3): Array<string> =>
  [...new Set(candidates)]
    .map((candidate) => ({ candidate, score: distance(target, candidate) }))
    .filter(
      ({ candidate, score }) =>
        score <= Math.max(2, Math.floor(Math.max(target.length, candidate.length) / 3))
    )
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate)

/** " Did you mean 'a' or 'b'?" or "" when nothing is close. */
export const didYouMean = (target: string, candidates: Iterable<string>): string => {
  const close = closestNames(target, candidates)
  if (close.length === 0) return ""
  return ` Did you mean ${close.map((c) => `'${c}'`).join(" or ")}?`
}
