/**
 * What a command prints, and how: aligned text tables for people, JSON (`--json`) or CSV for programs.
 * Values are shown as they are (bigint as digits, dates as ISO text, bytes as their length), long text
 * is cut in tables but never in JSON or CSV.
 */
import type * as Arrow from "apache-arrow"

/**
 * `exitCode`: a result that is still a failure (a job that ended FAILED), default 0. `written`: the
 * command wrote its result to stdout itself as it went (an export of rows), nothing is left to print.
 */
export type Printable =
  | { readonly kind: "none" }
  | { readonly kind: "written" }
  | { readonly kind: "text"; readonly text: string; readonly json?: unknown; readonly exitCode?: number }
  | {
      readonly kind: "rows"
      readonly exitCode?: number
      readonly columns: ReadonlyArray<string>
      readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>
      /** How many rows there are in all, when `rows` is a sample. */
      readonly total?: number
      readonly format?: "table" | "json" | "csv"
    }

export const none: Printable = { kind: "none" }
export const written: Printable = { kind: "written" }
export const text = (value: string, json?: unknown, exitCode?: number): Printable => ({
  kind: "text",
  text: value,
  ...(json === undefined ? {} : { json }),
  ...(exitCode === undefined ? {} : { exitCode })
})
export const rows = (
  columns: ReadonlyArray<string>,
  values: ReadonlyArray<Readonly<Record<string, unknown>>>,
  options: { readonly total?: number; readonly format?: "table" | "json" | "csv" } = {}
): Printable => ({ kind: "rows", columns, rows: values, ...options })

/** An Arrow table's rows as plain records (nested values as JSON-ready data). */
export const arrowRows = (table: Arrow.Table): Array<Record<string, unknown>> =>
  table.toArray().map((row) => {
    const record = (row as { toJSON(): Record<string, unknown> }).toJSON()
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, plain(v)]))
  })

/**
 * A value as JSON can hold it. Float specials print as Snowflake prints them — `NaN`, `inf`, `-inf`,
 * strings in JSON — so an export tells them from SQL NULL (`null` in JSON, an empty CSV field).
 */
export const plain = (value: unknown): unknown => {
  if (value === null || value === undefined) return null
  if (typeof value === "number" && !Number.isFinite(value))
    return Number.isNaN(value) ? "NaN" : value > 0 ? "inf" : "-inf"
  if (typeof value === "bigint")
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString()
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, plain)
  if (Array.isArray(value)) return value.map(plain)
  if (typeof value === "object") {
    const object = value as { toJSON?: () => unknown; toArray?: () => unknown }
    if (typeof object.toArray === "function" && !("toJSON" in object && Symbol.iterator in object)) {
      return plain(object.toArray())
    }
    if (typeof object.toJSON === "function") return plain(object.toJSON())
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

const cell = (value: unknown, width = 60): string => {
  const shown =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value)
  const flat = shown.replace(/\s+/g, " ")
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat
}

/** A CSV field: NULL is empty; a value with a comma, quote or line break is quoted. */
export const csvCell = (value: unknown): string => {
  if (value === null || value === undefined) return ""
  // Numbers and booleans print as JSON prints them, without its cost (an export spends its time here).
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  const shown = typeof value === "string" ? value : JSON.stringify(value)
  return /[",\n\r]/.test(shown) ? `"${shown.replace(/"/g, '""')}"` : shown
}

export const renderTable = (
  columns: ReadonlyArray<string>,
  values: ReadonlyArray<Readonly<Record<string, unknown>>>
): string => {
  const cells = values.map((row) => columns.map((c) => cell(plain(row[c]))))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (parts: ReadonlyArray<string>) =>
    parts
      .map((p, i) => p.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n")
}

export const renderCsv = (
  columns: ReadonlyArray<string>,
  values: ReadonlyArray<Readonly<Record<string, unknown>>>
): string =>
  [
    columns.map(csvCell).join(","),
    ...values.map((row) => columns.map((c) => csvCell(plain(row[c]))).join(","))
  ].join("\n")

/** The text a command's result prints as on stdout ("" for nothing). */
export const render = (printable: Printable, json: boolean): string => {
  switch (printable.kind) {
    case "none":
      return json ? "null" : ""
    case "written":
      return ""
    case "text":
      return json ? JSON.stringify(plain(printable.json ?? printable.text), null, 2) : printable.text
    case "rows": {
      const format = json ? "json" : (printable.format ?? "table")
      if (format === "json") {
        return JSON.stringify(
          printable.rows.map((row) => Object.fromEntries(printable.columns.map((c) => [c, plain(row[c])]))),
          null,
          2
        )
      }
      if (format === "csv") return renderCsv(printable.columns, printable.rows)
      const more =
        printable.total !== undefined && printable.total > printable.rows.length
          ? `\n(${printable.rows.length} of ${printable.total} rows)`
          : ""
      return printable.rows.length === 0 && printable.columns.length === 0
        ? ""
        : `${renderTable(printable.columns, printable.rows)}${more}`
    }
  }
}
