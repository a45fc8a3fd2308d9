import { describe, expect, it } from "@effect/vitest"
import { Params, ParamValue, Signature as S, type Signature } from "@runbatch/spec"
import { failsWith, ok } from "./support.ts"

// registry_custom_model_with_params_batch_inference_test.py: 16 params of every scalar dtype and two shaped ones.
const ALL_TYPES: ReadonlyArray<Signature.Param> = [
  S.param("int8_param", "INT8", 1),
  S.param("int16_param", "INT16", 2),
  S.param("int32_param", "INT32", 3),
  S.param("int64_param", "INT64", 4),
  S.param("uint8_param", "UINT8", 5),
  S.param("uint16_param", "UINT16", 6),
  S.param("uint32_param", "UINT32", 7),
  S.param("uint64_param", "UINT64", 8),
  S.param("float_param", "FLOAT", 1.5),
  S.param("double_param", "DOUBLE", 2.5),
  S.param("bool_param", "BOOL", true),
  S.param("string_param", "STRING", "default"),
  S.param("bytes_param", "BYTES", new TextEncoder().encode("default")),
  S.param("timestamp_param", "TIMESTAMP_NTZ", new Date("2024-01-01T12:00:00Z")),
  S.param("weights_param", "DOUBLE", [1.0, 2.0, 3.0], { shape: [3] }),
  S.param(
    "nested_list",
    "INT64",
    [
      [1, 2],
      [3, 4]
    ],
    { shape: [2, 2] }
  )
]

const ALL_DEFAULTS: Params.ResolvedParams = {
  int8_param: 1,
  int16_param: 2,
  int32_param: 3,
  int64_param: 4,
  uint8_param: 5,
  uint16_param: 6,
  uint32_param: 7,
  uint64_param: 8,
  float_param: 1.5,
  double_param: 2.5,
  bool_param: true,
  string_param: "default",
  bytes_param: "64656661756c74",
  timestamp_param: "2024-01-01T12:00:00",
  weights_param: [1, 2, 3],
  nested_list: [
    [1, 2],
    [3, 4]
  ]
}

// The dict-params test of the same file: a ParamGroupSpec with nested groups and a shape=(2,) list of dicts.
const DICT_PARAMS: ReadonlyArray<Signature.Param> = [
  S.param("multiplier", "DOUBLE", 1.0),
  S.paramGroup("config", [
    S.param("temperature", "DOUBLE", 1.0),
    S.param("top_k", "INT64", 50),
    S.param("use_cache", "BOOL", true),
    S.paramGroup("sampling", [S.param("seed", "INT64", 42), S.param("strategy", "STRING", "greedy")]),
    S.paramGroup("penalties", [
      S.param("enabled", "BOOL", false),
      S.paramGroup("frequency", [S.param("weight", "DOUBLE", 0.5), S.param("min_count", "INT64", 1)])
    ]),
    S.paramGroup(
      "records",
      [
        S.param("label", "STRING", "a"),
        S.paramGroup("meta", [S.param("score", "DOUBLE", 1.0), S.param("tag", "STRING", "x")])
      ],
      {
        shape: [2],
        defaultValue: [
          { label: "a", meta: { score: 1.0, tag: "x" } },
          { label: "b", meta: { score: 2.0, tag: "y" } }
        ]
      }
    )
  ])
]

const DEFAULT_CONFIG = {
  temperature: 1.0,
  top_k: 50,
  use_cache: true,
  sampling: { seed: 42, strategy: "greedy" },
  penalties: { enabled: false, frequency: { weight: 0.5, min_count: 1 } },
  records: [
    { label: "a", meta: { score: 1.0, tag: "x" } },
    { label: "b", meta: { score: 2.0, tag: "y" } }
  ]
}

const FULL_CONFIG = {
  temperature: 0.5,
  top_k: 100,
  use_cache: false,
  sampling: { seed: 99, strategy: "beam" },
  penalties: { enabled: true, frequency: { weight: 0.9, min_count: 3 } },
  records: [
    { label: "c", meta: { score: 9.0, tag: "z" } },
    { label: "d", meta: { score: 8.0, tag: "w" } }
  ]
}

const PARTIAL_CONFIG = {
  temperature: 3.0,
  sampling: { strategy: "beam" },
  penalties: { frequency: { weight: 0.1 } },
  records: [
    { label: "c", meta: { score: 5.0, tag: "z" } },
    { label: "d", meta: { score: 6.0, tag: "w" } }
  ]
}

const PARTIAL_MERGED_CONFIG = {
  temperature: 3.0,
  top_k: 50,
  use_cache: true,
  sampling: { seed: 42, strategy: "beam" },
  penalties: { enabled: false, frequency: { weight: 0.1, min_count: 1 } },
  records: [
    { label: "c", meta: { score: 5.0, tag: "z" } },
    { label: "d", meta: { score: 6.0, tag: "w" } }
  ]
}

describe("Params.validate: names", () => {
  it("no params is always fine, even for a method without params", () => {
    ok(Params.validate(undefined, []))
    ok(Params.validate({}, []))
    ok(Params.validate(undefined, ALL_TYPES))
  })

  it("params for a method that declares none", () => {
    const e = failsWith(
      Params.validate({ temperature: 0.5, max_tokens: 3 }, []),
      "ParamsNotAccepted",
      "Parameters were provided ('max_tokens', 'temperature'), but this method does not accept any parameters."
    )
    expect(e.given).toStrictEqual(["max_tokens", "temperature"])
  })

  it("names differing only by case", () => {
    const e = failsWith(
      Params.validate({ temperature: 1, TEMPERATURE: 2 }, [S.param("temperature", "DOUBLE", 0.7)]),
      "DuplicateParams",
      "Duplicate parameter(s) provided with different cases: ['temperature', 'TEMPERATURE']",
      "Parameter names are case-insensitive"
    )
    expect(e.groups).toStrictEqual([["temperature", "TEMPERATURE"]])
  })

  const unknown: ReadonlyArray<readonly [Record<string, unknown>, ReadonlyArray<string>, string]> = [
    [{ unknown_param: 1 }, ["unknown_param"], "Unknown parameter(s): 'unknown_param'."],
    [{ int8_parm: 1 }, ["int8_parm"], "Did you mean 'int8_param' or 'uint8_param'"],
    [{ zzz: 1, int64_param: 3 }, ["zzz"], "Valid parameters are: 'bool_param', 'bytes_param'"]
  ]
  it.each(unknown)("unknown %j", (params, names, fragment) => {
    const e = failsWith(Params.validate(params, ALL_TYPES), "UnknownParams", fragment)
    expect(e.unknown).toStrictEqual(names)
    expect(e.valid).toStrictEqual(ALL_TYPES.map((p) => p.name).sort())
  })

  it("an unknown name with nothing close lists the valid names only", () => {
    const e = failsWith(Params.validate({ zzz: 1 }, ALL_TYPES), "UnknownParams")
    expect(e.suggestions).toStrictEqual([])
    expect(e.message).not.toContain("Did you mean")
  })
})

describe("Params.validate: values", () => {
  const accepted: ReadonlyArray<readonly [string, unknown]> = [
    ["int8_param", -128],
    ["int8_param", 127],
    ["int64_param", 9007199254740991],
    ["int64_param", 40000n],
    ["uint8_param", 255],
    ["uint64_param", 50000],
    ["float_param", 1],
    ["double_param", 1],
    ["double_param", 2.75],
    ["double_param", 3n],
    ["bool_param", false],
    ["string_param", ""],
    ["bytes_param", new Uint8Array([1, 2])],
    ["bytes_param", "hello"],
    ["timestamp_param", new Date("2025-06-15T10:30:00Z")],
    ["timestamp_param", "2025-06-15T10:30:00"],
    ["timestamp_param", "2025-06-15 10:30:00.123456"],
    ["timestamp_param", "2025-06-15"],
    ["weights_param", [0.5, 1.5, 2.5]],
    ["weights_param", [1, 2, 3]],
    [
      "nested_list",
      [
        [5, 6],
        [7, 8]
      ]
    ],
    ["int8_param", null],
    ["weights_param", null],
    ["string_param", null]
  ]
  it.each(accepted)("%s accepts %s", (name, value) => {
    ok(Params.validate({ [name]: value }, ALL_TYPES))
  })

  const rejected: ReadonlyArray<readonly [string, unknown, string]> = [
    ["int64_param", "100", 'value "100" (type: string) is not compatible with dtype INT64. Expected int.'],
    ["int64_param", true, "value true (type: boolean) is not compatible with dtype INT64"],
    ["int64_param", 1.5, "value 1.5 (type: number) is not compatible with dtype INT64"],
    ["int8_param", 300, "value 300 (type: number) is out of range for INT8."],
    ["int8_param", -129, "out of range for INT8"],
    ["uint8_param", -1, "out of range for UINT8"],
    ["uint16_param", 65536, "out of range for UINT16"],
    ["int64_param", 2n ** 63n, "is beyond ±2^53"],
    [
      "double_param",
      "x",
      'value "x" (type: string) is not compatible with dtype DOUBLE. Expected int or float.'
    ],
    ["double_param", false, "is not compatible with dtype DOUBLE"],
    ["float_param", "1.5", "is not compatible with dtype FLOAT"],
    ["bool_param", 1, "is not compatible with dtype BOOL"],
    ["bool_param", "true", "is not compatible with dtype BOOL"],
    ["string_param", 5, "is not compatible with dtype STRING"],
    ["bytes_param", 5, "is not compatible with dtype BYTES"],
    ["timestamp_param", "yesterday", "is not compatible with dtype TIMESTAMP_NTZ"],
    ["timestamp_param", "2025-06-15T10:30:00Z", "without time zone"],
    ["timestamp_param", new Date("nonsense"), "is an invalid Date"],
    ["int64_param", [1], "expected a scalar value, got an array"],
    ["weights_param", [1, 2], "is not compatible with shape [3]: dimension 0: expected 3, got 2"],
    ["weights_param", 1.5, "expected 1-dimensional value, got 0-dimensional"],
    ["weights_param", [1, "2", 3], 'value "2" (type: string) is not compatible with dtype DOUBLE'],
    ["nested_list", [1, 2, 3, 4], "expected 2-dimensional value, got 1-dimensional"],
    ["nested_list", [[1, 2], [3]], "is ragged (rows of different lengths)"],
    [
      "nested_list",
      [
        [1, 2, 3],
        [4, 5, 6]
      ],
      "dimension 1: expected 2, got 3"
    ],
    [
      "nested_list",
      [
        [1, 2],
        [3, 4.5]
      ],
      "value 4.5 (type: number) is not compatible with dtype INT64"
    ]
  ]
  it.each(rejected)("%s rejects %s", (name, value, fragment) => {
    const e = failsWith(
      Params.validate({ [name]: value }, ALL_TYPES),
      "InvalidParamValue",
      `Parameter '${name}': `,
      fragment
    )
    expect(e.param).toBe(name)
  })

  it("shapes with -1 take any length", () => {
    const specs = [
      S.param("stop", "STRING", null, { shape: [-1] }),
      S.param("grid", "INT8", null, { shape: [-1, 2] })
    ]
    ok(Params.validate({ stop: [] }, specs))
    ok(Params.validate({ stop: [".", "\n", "END"] }, specs))
    ok(
      Params.validate(
        {
          grid: [
            [1, 2],
            [3, 4],
            [5, 6]
          ]
        },
        specs
      )
    )
    failsWith(
      Params.validate({ grid: [[1, 2, 3]] }, specs),
      "InvalidParamValue",
      "dimension 1: expected 2, got 3"
    )
    failsWith(Params.validate({ stop: [1] }, specs), "InvalidParamValue", "not compatible with dtype STRING")
  })
})

describe("Params.validate: dict params", () => {
  const accepted: ReadonlyArray<readonly [string, unknown]> = [
    ["a full override", FULL_CONFIG],
    ["a partial override", PARTIAL_CONFIG],
    ["keys in another case", { TEMPERATURE: 0.2, Sampling: { SEED: 1 } }],
    ["an empty dict", {}],
    ["null", null],
    ["a null leaf", { temperature: null }]
  ]
  it.each(accepted)("accepts %s", (_, config) => {
    ok(Params.validate({ config }, DICT_PARAMS))
  })

  const rejected: ReadonlyArray<readonly [string, unknown, string, string]> = [
    ["not a dict", 3, "config", "expected a dict (an object), got 3 (type: number)."],
    ["a list", [1], "config", "expected a dict (an object)"],
    ["an unknown key", { k: 1 }, "config", "Unknown key(s) 'k' in parameter 'config'."],
    ["a misspelled key", { temprature: 1 }, "config", "Did you mean 'temperature'?"],
    [
      "duplicate keys by case",
      { top_k: 1, TOP_K: 2 },
      "config",
      "has duplicate case-insensitive keys 'top_k' and 'TOP_K'"
    ],
    [
      "an unknown nested key",
      { sampling: { sed: 1 } },
      "config.sampling",
      "Unknown key(s) 'sed' in parameter 'config.sampling'."
    ],
    [
      "a bad nested value",
      { penalties: { frequency: { min_count: "1" } } },
      "config.penalties.frequency.min_count",
      "not compatible with dtype INT64"
    ],
    ["a nested group that is not a dict", { sampling: "beam" }, "config.sampling", "expected a dict"],
    [
      "a shaped group of the wrong length",
      { records: [{ label: "c" }] },
      "config.records",
      "expected length 2, got 1."
    ],
    [
      "a shaped group that is not a list",
      { records: { label: "c" } },
      "config.records",
      "expected a list (shape [2])"
    ],
    [
      "a bad item of a shaped group",
      { records: [{ label: "c" }, { label: 1 }] },
      "config.records[1].label",
      "not compatible with dtype STRING"
    ],
    [
      "an unknown key in a shaped group item",
      { records: [{ label: "c" }, { lable: "d" }] },
      "config.records[1]",
      "Unknown key(s) 'lable'"
    ]
  ]
  it.each(rejected)("rejects %s", (_, config, param, fragment) => {
    const e = failsWith(Params.validate({ config }, DICT_PARAMS), "InvalidParamValue", fragment)
    expect(e.param).toBe(param)
  })
})

describe("Params.resolve", () => {
  it("all defaults", () => {
    expect(ok(Params.resolve(undefined, ALL_TYPES))).toStrictEqual(ALL_DEFAULTS)
  })

  it("a key set to undefined is not set: it keeps its default", () => {
    expect(ok(Params.resolve({ int8_param: undefined }, ALL_TYPES))).toStrictEqual(ALL_DEFAULTS)
    ok(Params.validate({ unknown_but_undefined: undefined }, []))
  })

  it("all overridden", () => {
    const overrides = {
      int8_param: 10,
      int16_param: 200,
      int32_param: 3000,
      int64_param: 40000,
      uint8_param: 15,
      uint16_param: 300,
      uint32_param: 4000,
      uint64_param: 50000n,
      float_param: 1.25,
      double_param: 2.75,
      bool_param: false,
      string_param: "overridden",
      bytes_param: new TextEncoder().encode("hello"),
      timestamp_param: new Date("2025-06-15T10:30:00Z"),
      weights_param: [0.5, 1.5, 2.5],
      nested_list: [
        [5, 6],
        [7, 8]
      ]
    }
    expect(ok(Params.resolve(overrides, ALL_TYPES))).toStrictEqual({
      ...overrides,
      uint64_param: 50000,
      bytes_param: "68656c6c6f",
      timestamp_param: "2025-06-15T10:30:00"
    })
  })

  it("mixed: some overridden, the rest defaults", () => {
    const overrides = {
      int8_param: 10,
      uint16_param: 300,
      float_param: 1.25,
      string_param: "overridden",
      weights_param: [0.5, 1.5, 2.5]
    }
    expect(ok(Params.resolve(overrides, ALL_TYPES))).toStrictEqual({ ...ALL_DEFAULTS, ...overrides })
  })

  it("uses the signature's casing for names given in another case", () => {
    const resolved = ok(Params.resolve({ INT8_PARAM: 9, Double_Param: 1 }, ALL_TYPES))
    expect(resolved["int8_param"]).toBe(9)
    expect(resolved["double_param"]).toBe(1)
    expect(Object.keys(resolved)).toStrictEqual(ALL_TYPES.map((p) => p.name))
  })

  it("override with null gives null", () => {
    expect(ok(Params.resolve({ double_param: null, weights_param: null }, ALL_TYPES))).toStrictEqual({
      ...ALL_DEFAULTS,
      double_param: null,
      weights_param: null
    })
  })

  it("bytes given as text are hex of their UTF-8", () => {
    expect(ok(Params.resolve({ bytes_param: "hé" }, ALL_TYPES))["bytes_param"]).toBe("68c3a9")
  })

  it("a timestamp given as text is kept as written", () => {
    expect(ok(Params.resolve({ timestamp_param: "2025-06-15 10:30:00" }, ALL_TYPES))["timestamp_param"]).toBe(
      "2025-06-15 10:30:00"
    )
  })

  const dictCases: ReadonlyArray<
    readonly [string, Record<string, unknown> | undefined, Params.ResolvedParams]
  > = [
    ["dict defaults", undefined, { multiplier: 1.0, config: DEFAULT_CONFIG }],
    ["a full dict override", { config: FULL_CONFIG }, { multiplier: 1.0, config: FULL_CONFIG }],
    [
      "a partial override deep-merged into defaults",
      { config: PARTIAL_CONFIG },
      { multiplier: 1.0, config: PARTIAL_MERGED_CONFIG }
    ],
    [
      "scalar and dict overrides",
      { multiplier: 2.0, config: FULL_CONFIG },
      { multiplier: 2.0, config: FULL_CONFIG }
    ],
    [
      "a two-level partial override",
      { config: { penalties: { frequency: { min_count: 7 } } } },
      {
        multiplier: 1.0,
        config: { ...DEFAULT_CONFIG, penalties: { enabled: false, frequency: { weight: 0.5, min_count: 7 } } }
      }
    ],
    [
      "dict keys in another case resolve to the signature's",
      { CONFIG: { TOP_K: 3, Sampling: { SEED: 7 } } },
      { multiplier: 1.0, config: { ...DEFAULT_CONFIG, top_k: 3, sampling: { seed: 7, strategy: "greedy" } } }
    ],
    ["a dict overridden with null", { config: null }, { multiplier: 1.0, config: null }],
    [
      "a dict leaf overridden with null",
      { config: { temperature: null } },
      { multiplier: 1.0, config: { ...DEFAULT_CONFIG, temperature: null } }
    ]
  ]
  it.each(dictCases)("%s", (_, params, expected) => {
    expect(ok(Params.resolve(params, DICT_PARAMS))).toStrictEqual(expected)
  })

  it("a user passing TOP_K gets the signature's top_k", () => {
    const resolved = ok(Params.resolve({ TOP_K: 5 }, [S.param("top_k", "INT64", 50)]))
    expect(resolved).toStrictEqual({ top_k: 5 })
  })

  it("refuses invalid params before resolving", () => {
    failsWith(
      Params.resolve({ config: { k: 1 } }, DICT_PARAMS),
      "InvalidParamValue",
      "Unknown key(s) 'k' in parameter 'config'."
    )
    failsWith(Params.resolve({ x: 1 }, []), "ParamsNotAccepted")
  })
})

describe("ParamValue.describeValue", () => {
  const cases: ReadonlyArray<readonly [unknown, string]> = [
    ["x", '"x" (type: string)'],
    [1.5, "1.5 (type: number)"],
    [true, "true (type: boolean)"],
    [null, "null (type: null)"],
    [[1, 2], "[1,2] (type: array)"],
    [new Uint8Array(3), "<3 bytes> (type: bytes)"],
    [5n, "5n (type: bigint)"],
    ["a".repeat(100), `"${"a".repeat(76)}... (type: string)`]
  ]
  it.each(cases)("describeValue(%s)", (value, expected) => {
    expect(ParamValue.describeValue(value)).toBe(expected)
  })
})
