/**
 * How `createTable` reads a CSV file: its delimiter, the strings that mean NULL, a decimal comma and
 * whether its first line is a header — DuckDB's `read_csv` options `delim`, `nullstr`,
 * `decimal_separator` and `header`. What is not given is sniffed by DuckDB, except that a `.tsv` file
 * is tab-delimited. A gzip-compressed file (`.csv.gz`, `.tsv.gz`) is read as it is.
 */
import type { Problem } from "@runbatch/spec"
import { sqlString } from "./Connection.ts"

export interface CsvOptions {
  /** The field delimiter (one character). Default: a tab for `.tsv`, else sniffed. */
  readonly delimiter?: string
  /** Strings read as NULL, in addition to an empty field: `"NA"`, `["NA", "n/a"]`. */
  readonly nullStrings?: string | ReadonlyArray<string>
  /** Numbers are written with a decimal comma (`4,5`); the delimiter is then not a comma. */
  readonly decimalComma?: boolean
  /** Whether the first line names the columns. Default: sniffed. */
  readonly header?: boolean
}

const isTsv = (path: string): boolean => /\.tsv(\.gz)?$/i.test(path)

/** What is wrong with the options for this file (nothing: an empty list). */
export const csvProblems = (path: string, options: CsvOptions): ReadonlyArray<Problem> => {
  const problems: Array<Problem> = []
  const delimiter = options.delimiter
  if (delimiter !== undefined && [...delimiter].length !== 1) {
    problems.push({ path: "delimiter", message: `must be one character, got ${JSON.stringify(delimiter)}.` })
  }
  if (options.decimalComma === true && (delimiter ?? (isTsv(path) ? "\t" : undefined)) === ",") {
    problems.push({
      path: "decimalComma",
      message: "a decimal comma needs another delimiter than the comma (a semicolon, say)."
    })
  }
  return problems
}

/** The `read_csv` / `sniff_csv` arguments after the path: `, delim = '\t', nullstr = ['', 'NA']`. */
export const csvReaderArguments = (path: string, options: CsvOptions): string => {
  const delimiter = options.delimiter ?? (isTsv(path) ? "\t" : undefined)
  const nulls = options.nullStrings === undefined ? [] : [options.nullStrings].flat()
  return [
    delimiter === undefined ? "" : `, delim = ${sqlString(delimiter)}`,
    nulls.length === 0 ? "" : `, nullstr = [${["", ...nulls].map(sqlString).join(", ")}]`,
    options.decimalComma === true ? ", decimal_separator = ','" : "",
    options.header === undefined ? "" : `, header = ${options.header}`
  ].join("")
}
