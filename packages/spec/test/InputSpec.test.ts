import { describe, expect, it } from "@effect/vitest"
import { InputSpec } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

describe("InputSpec.decode", () => {
  const accepted: ReadonlyArray<readonly [string, unknown, "ts" | "wire", InputSpec.InputSpec]> = [
    ["nothing (ts)", undefined, "ts", {}],
    ["nothing (wire)", undefined, "wire", {}],
    ["an empty object", {}, "ts", {}],
    [
      "params of any shape",
      { params: { temperature: 0.5, stop: ["."], config: { top_k: 3 } } },
      "ts",
      { params: { temperature: 0.5, stop: ["."], config: { top_k: 3 } } }
    ],
    [
      "column handling in camelCase, lower-cased",
      { columnHandling: { IMG: { inputFormat: "FULL_STAGE_PATH", convertTo: "RAW_BYTES" } } },
      "ts",
      { columnHandling: { IMG: { inputFormat: "full_stage_path", convertTo: "raw_bytes" } } }
    ],
    [
      "column handling in snake_case",
      { column_handling: { IMAGES: { input_format: "full_stage_path", convert_to: "BASE64_DATA_URL" } } },
      "wire",
      { columnHandling: { IMAGES: { inputFormat: "full_stage_path", convertTo: "base64_data_url" } } }
    ],
    [
      "an open convert_to value from a third-party encoder",
      { column_handling: { AUDIO: { input_format: "FULL_STAGE_PATH", convert_to: "spectrogram" } } },
      "wire",
      { columnHandling: { AUDIO: { inputFormat: "full_stage_path", convertTo: "spectrogram" } } }
    ],
    [
      "values with surrounding spaces",
      { columnHandling: { IMG: { inputFormat: " Full_Stage_Path ", convertTo: "Base64" } } },
      "ts",
      { columnHandling: { IMG: { inputFormat: "full_stage_path", convertTo: "base64" } } }
    ],
    ["a partition column (ts)", { partitionColumn: "REGION" }, "ts", { partitionColumn: "REGION" }],
    ["a partition column (wire)", { partition_column: "REGION" }, "wire", { partitionColumn: "REGION" }]
  ]
  it.each(accepted)("accepts %s", (_, input, form, expected) => {
    expect(ok(InputSpec.decode(input, form))).toStrictEqual(expected)
  })

  const rejected: ReadonlyArray<readonly [string, unknown, "ts" | "wire", string]> = [
    [
      "an empty convert_to",
      { column_handling: { IMG: { input_format: "full_stage_path", convert_to: "" } } },
      "wire",
      "column_handling.IMG.convert_to: must not be empty"
    ],
    [
      "a blank inputFormat",
      { columnHandling: { IMG: { inputFormat: "   ", convertTo: "raw_bytes" } } },
      "ts",
      "columnHandling.IMG.inputFormat: must not be empty"
    ],
    [
      "a missing convert_to",
      { column_handling: { IMG: { input_format: "full_stage_path" } } },
      "wire",
      "column_handling.IMG.convert_to: Missing key"
    ],
    [
      "the removed encoding key",
      {
        column_handling: {
          IMG: { input_format: "full_stage_path", convert_to: "base64", encoding: "base64" }
        }
      },
      "wire",
      "column_handling.IMG.encoding: unknown field"
    ],
    [
      "an empty partition column",
      { partition_column: "" },
      "wire",
      "partition_column: Expected a value with a length of at least 1"
    ],
    ["params that are not a map", { params: [1, 2] }, "ts", "params: Expected object"],
    [
      "an unknown field (wire)",
      { partition_columns: "X" },
      "wire",
      "partition_columns: unknown field. Did you mean 'partition_column'?"
    ],
    [
      "an unknown field (ts)",
      { partitionColumns: "X" },
      "ts",
      "partitionColumns: unknown field. Did you mean 'partitionColumn'?"
    ]
  ]
  it.each(rejected)("rejects %s", (_, input, form, fragment) => {
    const e = failsWith(InputSpec.decode(input, form), "InvalidSpec", fragment)
    expect(e.spec).toBe("InputSpec")
  })

  it("column names in paths are never renamed", () => {
    failsWith(
      InputSpec.decode({ column_handling: { inputFormat: { input_format: "x", convert_to: "" } } }, "wire"),
      "InvalidSpec",
      "column_handling.inputFormat.convert_to: must not be empty"
    )
  })
})
