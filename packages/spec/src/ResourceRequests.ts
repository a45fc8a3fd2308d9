/**
 * Resource quantities in JobSpec, in the notation SPCS specs use: CPUs as `2`, `0.5` or `500m`
 * (millicores), memory with a unit (`8Gi`, `8GiB`, `512Mi`, `2G`), GPUs as a whole count.
 */

const CPU = /^(\d+(?:\.\d+)?)(m?)$/
const MEMORY = /^(\d+(?:\.\d+)?)\s*(k|m|g|t)(i?)(b?)$/i
const UNIT_POWER = { k: 1, m: 2, g: 3, t: 4 } as const

/** CPU count (fractional allowed), or undefined when `text` is not a CPU quantity. */
export const parseCpu = (text: string): number | undefined => {
  const m = CPU.exec(text.trim())
  if (m === null) return undefined
  const value = Number(m[1]) / (m[2] === "m" ? 1000 : 1)
  return value > 0 ? value : undefined
}

/** Bytes, or undefined when `text` is not a memory quantity with a unit. */
export const parseMemory = (text: string): number | undefined => {
  const m = MEMORY.exec(text.trim())
  if (m === null) return undefined
  const power = UNIT_POWER[m[2]!.toLowerCase() as keyof typeof UNIT_POWER]
  const base = m[3] === "" ? 1000 : 1024
  const bytes = Number(m[1]) * base ** power
  return bytes > 0 ? Math.round(bytes) : undefined
}

/** GPU count, or undefined when `text` is not a positive whole number. */
export const parseGpu = (text: string): number | undefined => {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) return undefined
  const value = Number(trimmed)
  return value > 0 ? value : undefined
}
