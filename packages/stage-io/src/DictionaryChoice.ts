/**
 * Which columns of a parquet file are worth a dictionary. The writer dictionary-encodes every column
 * by default, which pays off for repeated values (labels, categories, rounded measurements) and costs
 * a hash per value for nothing when nearly every value is new: a model's scores and probabilities,
 * embeddings, unique keys. On the GBDT benchmark's output (65,536 rows, 13 rounded features, a label,
 * 3 probabilities), dropping the probabilities' dictionary took the write from 67 to 49 ms and the
 * file from 2.71 to 2.32 MB (docs/performance.md, gbdt). So, as DuckDB's writer does, the choice is
 * made from the data: a sample of each column's first values, and a column whose sample is mostly
 * distinct is written plain.
 */
import * as Arrow from "apache-arrow"

/** Values sampled per column: enough to tell repeated from distinct, cheap once per file. */
const SAMPLE = 4096
/** Text sampled per column at most: long strings (documents, base64) are never all decoded. */
const SAMPLE_TEXT_BYTES = 1 << 20
/** Fewer sampled values than this say nothing either way: the writer's default stands. */
const MIN_SAMPLE = 256
/** A sample with more distinct values than this share gets no dictionary. */
const DISTINCT_SHARE = 0.5

export interface DictionaryChoice {
  /** Top-level columns (by name) written without a dictionary. */
  readonly withoutDictionary: ReadonlyArray<string>
  /**
   * A nested column (a list of floats: probabilities, embeddings) is mostly distinct. The writer
   * addresses only top-level columns by name, so such a file is written with dictionaries off and
   * turned back on for the top-level columns that repeat.
   */
  readonly nestedDistinct: boolean
  /** Top-level columns that keep their dictionary when `nestedDistinct` turns them off. */
  readonly withDictionary: ReadonlyArray<string>
}

/** The flat values of `data` (a list's values for a list), or undefined when not sampled. */
const sampledValues = (data: Arrow.Data): Arrow.Data | undefined => {
  if (Arrow.DataType.isList(data.type) || Arrow.DataType.isFixedSizeList(data.type)) {
    const child = data.children[0]
    return child === undefined ? undefined : sampledValues(child)
  }
  if (
    Arrow.DataType.isInt(data.type) ||
    Arrow.DataType.isFloat(data.type) ||
    Arrow.DataType.isUtf8(data.type)
  )
    return data
  return undefined
}

/** Whether most of the first values of `data` differ from each other. */
const mostlyDistinct = (data: Arrow.Data): boolean | undefined => {
  const vector = Arrow.makeVector(data.slice(0, Math.min(data.length, SAMPLE)))
  const seen = new Set<unknown>()
  let sampled = 0
  let text = 0
  for (; sampled < vector.length && text <= SAMPLE_TEXT_BYTES; sampled++) {
    const value = vector.get(sampled)
    if (typeof value === "string") text += value.length
    seen.add(value)
  }
  if (sampled < MIN_SAMPLE) return undefined
  return seen.size > sampled * DISTINCT_SHARE
}

const isNested = (type: Arrow.DataType): boolean =>
  Arrow.DataType.isList(type) ||
  Arrow.DataType.isFixedSizeList(type) ||
  Arrow.DataType.isStruct(type) ||
  Arrow.DataType.isMap(type)

/** The dictionary choice for a file whose first rows are `batch`. */
export const choose = (batch: Arrow.RecordBatch): DictionaryChoice => {
  const withoutDictionary: Array<string> = []
  const withDictionary: Array<string> = []
  let nestedDistinct = false
  for (const [index, field] of batch.schema.fields.entries()) {
    const data = batch.data.children[index]
    const values = data === undefined ? undefined : sampledValues(data)
    const distinct = values === undefined ? undefined : mostlyDistinct(values)
    const nested = isNested(field.type)
    if (distinct === true) {
      if (nested) nestedDistinct = true
      else withoutDictionary.push(field.name)
    } else if (!nested) withDictionary.push(field.name)
  }
  return { withoutDictionary, nestedDistinct, withDictionary }
}
