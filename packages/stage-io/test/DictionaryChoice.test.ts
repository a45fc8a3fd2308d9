import { describe, expect, it } from "@effect/vitest"
import * as Arrow from "apache-arrow"
import { Encoding, ParquetFile } from "parquet-wasm"
import * as DictionaryChoice from "../src/DictionaryChoice.ts"
import * as ParquetCodec from "../src/ParquetCodec.ts"

const rows = 8192
const listOfFloats = (values: Float32Array, width: number) =>
  Arrow.makeVector(
    Arrow.makeData({
      type: new Arrow.List(new Arrow.Field("item", new Arrow.Float32(), true)),
      length: values.length / width,
      valueOffsets: Int32Array.from({ length: values.length / width + 1 }, (_, i) => i * width),
      child: Arrow.makeData({ type: new Arrow.Float32(), length: values.length, data: values })
    })
  )
let seed = 7
const random = () => {
  seed = (seed * 16807) % 2147483647
  return seed / 2147483647
}

const table = (probabilities: "flat" | "list") =>
  new Arrow.Table({
    label: Arrow.makeVector(BigInt64Array.from({ length: rows }, (_, i) => BigInt(i % 3))),
    rounded: Arrow.makeVector(Float64Array.from({ length: rows }, () => Math.round(random() * 100) / 10)),
    city: Arrow.vectorFromArray(
      Array.from({ length: rows }, (_, i) => ["Oslo", "Lima", "Pune"][i % 3]!),
      new Arrow.Utf8()
    ),
    score: Arrow.makeVector(Float32Array.from({ length: rows }, random)),
    ...(probabilities === "list"
      ? { probabilities: listOfFloats(Float32Array.from({ length: rows * 3 }, random), 3) }
      : {})
  })

/** Whether each column chunk of the file's first row group has a dictionary page. */
const dictionaries = async (bytes: Uint8Array) => {
  const file = await ParquetFile.fromFile(new Blob([bytes]))
  const group = file.metadata().rowGroup(0)
  const out: Record<string, boolean> = {}
  for (let c = 0; c < group.numColumns(); c++) {
    const column = group.column(c)
    out[column.columnPath().join(".")] = column
      .encodings()
      .some((e) => e === Encoding.PLAIN_DICTIONARY || e === Encoding.RLE_DICTIONARY)
  }
  file.free()
  return out
}

describe("DictionaryChoice", () => {
  it("keeps a dictionary for repeated values and drops it for mostly distinct ones", () => {
    const choice = DictionaryChoice.choose(table("flat").batches[0]!)
    expect(choice).toEqual({
      withoutDictionary: ["score"],
      nestedDistinct: false,
      withDictionary: ["label", "rounded", "city"]
    })
  })

  it("a mostly distinct list of floats turns dictionaries off but for the columns that repeat", () => {
    const choice = DictionaryChoice.choose(table("list").batches[0]!)
    expect(choice.nestedDistinct).toBe(true)
    expect(choice.withDictionary).toEqual(["label", "rounded", "city"])
  })

  it("a few rows say nothing: the writer's default stands", () => {
    const choice = DictionaryChoice.choose(table("flat").slice(0, 100).batches[0]!)
    expect(choice).toEqual({
      withoutDictionary: [],
      nestedDistinct: false,
      withDictionary: ["label", "rounded", "city", "score"]
    })
  })

  it("parts are written as chosen, and read back the same", async () => {
    for (const shape of ["flat", "list"] as const) {
      const input = table(shape)
      const bytes = ParquetCodec.encode(input)
      const chunks = await dictionaries(bytes)
      expect(chunks["label"]).toBe(true)
      expect(chunks["rounded"]).toBe(true)
      expect(chunks["city"]).toBe(true)
      expect(chunks["score"]).toBe(false)
      if (shape === "list") expect(chunks["probabilities.list.item"]).toBe(false)
      const back = ParquetCodec.decode(bytes)
      expect(back.numRows).toBe(rows)
      expect([...back.getChild("score")!]).toEqual([...input.getChild("score")!])
    }
  })
})
