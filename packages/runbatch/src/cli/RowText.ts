/**
 * A record batch's rows as the text `--format csv` and `--format json` print, a slice at a time, so an
 * export of any size is rendered piece by piece into the same text Output.render gives for the whole
 * (the printing rules are Output.plain's: float specials, NULL, large integers, bytes). Values are read
 * column by column from the batch, not through row objects: an export spends its time here.
 */
import type * as Arrow from "apache-arrow"
import { csvCell, plain } from "./Output.ts"

const columnsOf = (batch: Arrow.RecordBatch) => batch.schema.fields.map((_, i) => batch.getChildAt(i)!)

/** Rows `from` (inclusive) to `to` (exclusive) of `batch` as CSV lines, each ending in a newline. */
export const csvLines = (batch: Arrow.RecordBatch, from: number, to: number): string => {
  const columns = columnsOf(batch)
  let text = ""
  for (let row = from; row < to; row++) {
    let line = ""
    for (let c = 0; c < columns.length; c++) {
      if (c > 0) line += ","
      line += csvCell(plain(columns[c]!.get(row)))
    }
    text += `${line}\n`
  }
  return text
}

/**
 * Rows `from` to `to` of `batch` as JSON objects keyed by column name, each laid out as an element of
 * `JSON.stringify(rows, null, 2)` (indented by two spaces, no separator).
 */
export const jsonRows = (batch: Arrow.RecordBatch, from: number, to: number): Array<string> => {
  const names = batch.schema.fields.map((field) => field.name)
  const columns = columnsOf(batch)
  const rows: Array<string> = []
  for (let row = from; row < to; row++) {
    const record: Record<string, unknown> = {}
    for (let c = 0; c < columns.length; c++) record[names[c]!] = plain(columns[c]!.get(row))
    rows.push(`  ${JSON.stringify(record, null, 2).replaceAll("\n", "\n  ")}`)
  }
  return rows
}
