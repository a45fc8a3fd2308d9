/** Numbers and durations as people read them: `1,000,000`, `12.5`, `3m07s`. */

const integer = new Intl.NumberFormat("en-US")
const decimal = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 3 })

/** A count with thousands separators; rates keep three significant digits below 1,000. */
export const count = (value: number): string =>
  Math.abs(value) >= 1000 ? integer.format(Math.round(value)) : decimal.format(value)

export const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return "unknown"
  if (seconds < 0.5) return "under a second"
  const s = Math.max(0, Math.round(seconds))
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
      : `${s}s`
}
