import { describe, expect, it } from "@effect/vitest"
import { DataType, Signature as S } from "@runbatch/spec"
import { Effect } from "effect"
import { failsWith, ok } from "./support.ts"

const OUT = [S.feature("output", "DOUBLE")]

describe("Signature constructors", () => {
  it("feature defaults to nullable and scalar", () => {
    expect(S.feature("a", "DOUBLE")).toStrictEqual({ name: "a", dtype: "DOUBLE", nullable: true })
    expect(S.feature("a", "INT8", { shape: [3], nullable: false })).toStrictEqual({
      name: "a",
      dtype: "INT8",
      shape: [3],
      nullable: false
    })
  })

  it("group, param, paramGroup and signature", () => {
    const g = S.group("g", [S.feature("x", "INT64")], { shape: [-1] })
    expect(g).toStrictEqual({ name: "g", specs: [S.feature("x", "INT64")], shape: [-1] })
    expect(S.isGroup(g)).toBe(true)
    expect(S.isGroup(S.feature("x", "INT64"))).toBe(false)
    expect(S.param("t", "DOUBLE", 0.7)).toStrictEqual({ name: "t", dtype: "DOUBLE", defaultValue: 0.7 })
    const pg = S.paramGroup("cfg", [S.param("k", "INT64", 1)], { defaultValue: { k: 2 } })
    expect(pg).toStrictEqual({ name: "cfg", specs: [S.param("k", "INT64", 1)], defaultValue: { k: 2 } })
    expect(S.isParamGroup(pg)).toBe(true)
    expect(S.signature([S.feature("a", "DOUBLE")], OUT)).toStrictEqual({
      inputs: [S.feature("a", "DOUBLE")],
      outputs: OUT,
      params: []
    })
  })

  it.effect(
    "a param group's null default writes as none and reads back the same (plans keep their fingerprint)",
    () =>
      Effect.gen(function* () {
        const sig = S.signature([S.feature("a", "DOUBLE")], OUT, [
          S.paramGroup("cfg", [S.param("k", "INT64", 1)], { defaultValue: null })
        ])
        const wire = S.toWire(sig)
        expect(wire.params?.[0]).not.toHaveProperty("default_value")
        const back = yield* S.fromWire(wire)
        expect(S.toWire(back)).toStrictEqual(wire)
        expect(S.defaultOf(back.params[0]!)).toStrictEqual({ k: 1 })
      })
  )

  const described: ReadonlyArray<readonly [S.Feature, string]> = [
    [S.feature("a", "DOUBLE"), "DOUBLE"],
    [S.feature("a", "FLOAT", { shape: [3] }), "FLOAT[3]"],
    [S.feature("a", "INT64", { shape: [2, -1] }), "INT64[2, -1]"],
    [
      S.group("g", [S.feature("a", "INT64"), S.feature("b", "STRING")], { shape: [-1] }),
      "STRUCT<a: INT64, b: STRING>[-1]"
    ]
  ]
  it.each(described)("describeType(%j) is %s", (feature, expected) => {
    expect(S.describeType(feature)).toBe(expected)
  })

  it("findByName is case-insensitive", () => {
    const features = [S.feature("Feature2", "DOUBLE"), S.feature("feature 4", "DOUBLE")]
    expect(S.findByName(features, "FEATURE2")?.name).toBe("Feature2")
    expect(S.findByName(features, "FEATURE 4")?.name).toBe("feature 4")
    expect(S.findByName(features, "feature_4")).toBeUndefined()
  })

  const defaults: ReadonlyArray<readonly [S.Param, unknown]> = [
    [S.param("t", "DOUBLE", 0.7), 0.7],
    [S.param("t", "DOUBLE", null), null],
    [
      S.paramGroup("g", [S.param("a", "INT64", 1), S.paramGroup("h", [S.param("b", "BOOL", true)])]),
      { a: 1, h: { b: true } }
    ],
    [S.paramGroup("g", [S.param("a", "INT64", 1)], { shape: [2] }), [{ a: 1 }, { a: 1 }]],
    [S.paramGroup("g", [S.param("a", "INT64", 1)], { shape: [-1] }), []],
    [S.paramGroup("g", [S.param("a", "INT64", 1)], { defaultValue: { a: 5 } }), { a: 5 }]
  ]
  it.each(defaults)("defaultOf(%j) is %j", (param, expected) => {
    expect(S.defaultOf(param)).toStrictEqual(expected)
  })
})

describe("Signature.validate", () => {
  const valid: ReadonlyArray<readonly [string, S.ModelSignature]> = [
    ["a minimal signature", S.signature([S.feature("a", "DOUBLE")], OUT)],
    ["an output named like an input", S.signature([S.feature("a", "DOUBLE")], [S.feature("A", "DOUBLE")])],
    [
      "a param named like an output",
      S.signature([S.feature("a", "DOUBLE")], OUT, [S.param("OUTPUT", "DOUBLE", 1)])
    ],
    [
      "the same child name in two groups",
      S.signature([S.group("g1", [S.feature("x", "INT8")]), S.group("g2", [S.feature("x", "INT8")])], OUT)
    ],
    [
      "shapes with -1 and several dimensions",
      S.signature(
        [S.feature("a", "DOUBLE", { shape: [-1] }), S.feature("b", "INT8", { shape: [2, 3, 4] })],
        OUT
      )
    ]
  ]
  it.each(valid)("accepts %s", (_, sig) => {
    expect(ok(S.validate(sig, "predict"))).toBe(sig)
  })

  const invalid: ReadonlyArray<readonly [string, S.ModelSignature, string, string]> = [
    ["no inputs", S.signature([], OUT), "a signature needs at least one input.", "predict"],
    [
      "no outputs",
      S.signature([S.feature("a", "DOUBLE")], []),
      "a signature needs at least one output.",
      "predict"
    ],
    [
      "an empty input group",
      S.signature([S.group("g", [])], OUT),
      "No children feature specs.",
      "predict.inputs.g"
    ],
    [
      "an empty output group",
      S.signature([S.feature("a", "DOUBLE")], [S.group("res", [])]),
      "No children feature specs.",
      "predict.outputs.res"
    ],
    [
      "an empty nested group",
      S.signature([S.group("g", [S.group("h", [])])], OUT),
      "No children feature specs.",
      "predict.inputs.g.h"
    ],
    [
      "an empty param group",
      S.signature([S.feature("a", "DOUBLE")], OUT, [S.paramGroup("cfg", [])]),
      "No children param specs.",
      "predict.params.cfg"
    ],
    [
      "duplicate inputs differing by case",
      S.signature([S.feature("a", "DOUBLE"), S.feature("A", "DOUBLE")], OUT),
      'duplicate feature name "A" (also "a")',
      "predict.inputs"
    ],
    [
      "duplicate outputs",
      S.signature([S.feature("a", "DOUBLE")], [S.feature("o", "DOUBLE"), S.feature("o", "INT8")]),
      'duplicate feature name "o"',
      "predict.outputs"
    ],
    [
      "duplicate children of a group",
      S.signature([S.group("g", [S.feature("x", "INT8"), S.feature("X", "INT8")])], OUT),
      'duplicate feature name "X"',
      "predict.inputs.g"
    ],
    [
      "duplicate params differing by case",
      S.signature([S.feature("a", "DOUBLE")], OUT, [
        S.param("top_k", "INT64", 1),
        S.param("TOP_K", "INT64", 2)
      ]),
      'duplicate parameter name "TOP_K"',
      "predict.params"
    ],
    [
      "a param named like an input",
      S.signature([S.feature("temperature", "DOUBLE")], OUT, [S.param("TEMPERATURE", "DOUBLE", 1)]),
      "Found parameter(s) with the same name as input feature(s): TEMPERATURE",
      "predict.params"
    ],
    [
      "an empty feature name",
      S.signature([S.feature("", "DOUBLE")], OUT),
      "feature names cannot be empty",
      "predict.inputs"
    ],
    [
      "shape [0]",
      S.signature([S.feature("a", "DOUBLE", { shape: [0] })], OUT),
      "positive integers or -1 (any length), got 0",
      "predict.inputs.a"
    ],
    [
      "shape [-2]",
      S.signature([S.feature("a", "DOUBLE", { shape: [-2] })], OUT),
      "got -2",
      "predict.inputs.a"
    ],
    [
      "shape []",
      S.signature([S.feature("a", "DOUBLE", { shape: [] })], OUT),
      "a shape needs at least one dimension",
      "predict.inputs.a"
    ],
    [
      "shape [1.5]",
      S.signature([S.feature("a", "DOUBLE", { shape: [1.5] })], OUT),
      "got 1.5",
      "predict.inputs.a"
    ],
    [
      "a group of shape [0]",
      S.signature([S.group("g", [S.feature("x", "INT8")], { shape: [0] })], OUT),
      "got 0",
      "predict.inputs.g"
    ],
    [
      "a param of shape [-2]",
      S.signature([S.feature("a", "DOUBLE")], OUT, [S.param("p", "DOUBLE", null, { shape: [-2] })]),
      "got -2",
      "predict.params.p"
    ],
    [
      "a default out of range",
      S.signature([S.feature("a", "DOUBLE")], OUT, [S.param("k", "INT8", 300)]),
      "default value: value 300 (type: number) is out of range for INT8.",
      "predict.params.k"
    ],
    [
      "a default of the wrong type",
      S.signature([S.feature("a", "DOUBLE")], OUT, [S.param("t", "DOUBLE", "x")]),
      'default value: value "x" (type: string) is not compatible with dtype DOUBLE',
      "predict.params.t"
    ],
    [
      "a default of the wrong shape",
      S.signature([S.feature("a", "DOUBLE")], OUT, [S.param("w", "DOUBLE", [1, 2], { shape: [3] })]),
      "dimension 0: expected 3, got 2",
      "predict.params.w"
    ],
    [
      "a group default with an unknown key",
      S.signature([S.feature("a", "DOUBLE")], OUT, [
        S.paramGroup("cfg", [S.param("k", "INT64", 1)], { defaultValue: { q: 1 } })
      ]),
      "Unknown key(s) 'q'",
      "predict.params.cfg"
    ]
  ]
  it.each(invalid)("rejects %s", (_, sig, fragment, path) => {
    const error = failsWith(S.validate(sig, "predict"), "InvalidSignature", fragment)
    expect(error.path).toBe(path)
    expect(error.message).toContain(`at ${path}:`)
  })
})

/** A signature using every DataType, every shape form, nested and shaped groups and every kind of param. */
const everything: S.ModelSignature = S.signature(
  [
    ...DataType.DATA_TYPES.map((t, i) => S.feature(`f_${t.toLowerCase()}`, t, { nullable: i % 2 === 0 })),
    S.feature("list3", "FLOAT", { shape: [3] }),
    S.feature("ragged", "INT64", { shape: [-1] }),
    S.feature("tensor", "DOUBLE", { shape: [2, 3, 4], nullable: false }),
    S.group("person", [
      S.feature("name", "STRING"),
      S.group("address", [S.feature("zip", "INT32"), S.feature("lines", "STRING", { shape: [-1] })])
    ]),
    S.group("points", [S.feature("x", "DOUBLE"), S.feature("y", "DOUBLE")], { shape: [-1] }),
    S.group("pair", [S.feature("k", "STRING")], { shape: [2] })
  ],
  [
    S.feature("prediction", "DOUBLE", { nullable: false }),
    S.feature("scores", "FLOAT", { shape: [-1] }),
    S.group("details", [S.feature("label", "STRING"), S.feature("score", "DOUBLE")], { shape: [-1] })
  ],
  [
    S.param("p_int8", "INT8", -5),
    S.param("p_int16", "INT16", 2),
    S.param("p_int32", "INT32", 3),
    S.param("p_int64", "INT64", 4),
    S.param("p_uint8", "UINT8", 5),
    S.param("p_uint16", "UINT16", 6),
    S.param("p_uint32", "UINT32", 7),
    S.param("p_uint64", "UINT64", 8),
    S.param("p_float", "FLOAT", 1.5),
    S.param("p_double", "DOUBLE", 2.5),
    S.param("p_bool", "BOOL", true),
    S.param("p_string", "STRING", "default"),
    S.param("p_bytes", "BYTES", "default"),
    S.param("p_timestamp", "TIMESTAMP_NTZ", "2024-01-01T12:00:00"),
    S.param("p_object", "OBJECT", { any: ["thing"] }),
    S.param("p_none", "DOUBLE", null),
    S.param("weights", "DOUBLE", [1, 2, 3], { shape: [3] }),
    S.param(
      "nested_list",
      "INT64",
      [
        [1, 2],
        [3, 4]
      ],
      { shape: [2, 2] }
    ),
    S.param("stop", "STRING", ["."], { shape: [-1] }),
    S.paramGroup("config", [
      S.param("temperature", "DOUBLE", 1),
      S.paramGroup("sampling", [S.param("seed", "INT64", 42), S.param("strategy", "STRING", "greedy")]),
      S.paramGroup(
        "records",
        [S.param("label", "STRING", "a"), S.paramGroup("meta", [S.param("score", "DOUBLE", 1)])],
        {
          shape: [2],
          defaultValue: [
            { label: "a", meta: { score: 1 } },
            { label: "b", meta: { score: 2 } }
          ]
        }
      )
    ]),
    S.paramGroup("limits", [S.param("max", "INT32", 10)], { defaultValue: { max: 20 } })
  ]
)

describe("Signature wire form", () => {
  it("fromWire(toWire(sig)) is sig for a signature using every DataType", () => {
    expect(ok(S.fromWire(S.toWire(everything), "predict"))).toStrictEqual(everything)
  })

  it("survives a JSON round trip of the wire form", () => {
    const wire = JSON.parse(JSON.stringify(S.toWire(everything))) as unknown
    expect(ok(S.fromWire(wire, "predict"))).toStrictEqual(everything)
  })

  it("uses Snowflake's keys: type/nullable for features, dtype/default_value for params, specs for groups", () => {
    const wire = S.toWire(
      S.signature(
        [S.feature("a", "INT8", { shape: [3] }), S.group("g", [S.feature("x", "BOOL", { nullable: false })])],
        OUT,
        [S.param("t", "DOUBLE", 0.7), S.paramGroup("cfg", [S.param("k", "INT64", null)])]
      )
    )
    expect(wire).toStrictEqual({
      inputs: [
        { name: "a", nullable: true, shape: [3], type: "INT8" },
        { name: "g", specs: [{ name: "x", nullable: false, type: "BOOL" }] }
      ],
      outputs: [{ name: "output", nullable: true, type: "DOUBLE" }],
      params: [
        { default_value: 0.7, dtype: "DOUBLE", name: "t" },
        { name: "cfg", specs: [{ default_value: null, dtype: "INT64", name: "k" }] }
      ]
    })
  })

  it("nullable defaults to false when absent, params to []", () => {
    const sig = ok(
      S.fromWire(
        { inputs: [{ name: "a", type: "DOUBLE" }], outputs: [{ name: "o", type: "DOUBLE", nullable: true }] },
        "predict"
      )
    )
    expect(sig).toStrictEqual({
      inputs: [{ name: "a", dtype: "DOUBLE", nullable: false }],
      outputs: [{ name: "o", dtype: "DOUBLE", nullable: true }],
      params: []
    })
  })

  it("a param without default_value has a null default; an empty shape is a scalar", () => {
    const sig = ok(
      S.fromWire(
        {
          inputs: [{ name: "a", type: "DOUBLE", shape: [] }],
          outputs: [{ name: "o", type: "DOUBLE" }],
          params: [{ name: "p", dtype: "INT64" }]
        },
        "predict"
      )
    )
    expect(sig.inputs[0]).toStrictEqual({ name: "a", dtype: "DOUBLE", nullable: false })
    expect(sig.params[0]).toStrictEqual({ name: "p", dtype: "INT64", defaultValue: null })
  })

  const badWire: ReadonlyArray<readonly [string, unknown, string, string]> = [
    [
      "an unknown input type",
      {
        inputs: [
          { name: "a", type: "DOUBLE" },
          { name: "b", type: "DUBLE" }
        ],
        outputs: [{ name: "o", type: "DOUBLE" }]
      },
      "predict.inputs[1]",
      "type"
    ],
    [
      "an output without a name",
      { inputs: [{ name: "a", type: "DOUBLE" }], outputs: [{ type: "DOUBLE" }] },
      "predict.outputs[0]",
      "name"
    ],
    [
      "a bad nested child",
      {
        inputs: [
          { name: "a", type: "DOUBLE" },
          { name: "g", specs: [{ name: "x", type: 3 }] }
        ],
        outputs: [{ name: "o", type: "DOUBLE" }]
      },
      "predict.inputs[1].specs[0]",
      "type"
    ],
    [
      "a param with a feature's type key",
      {
        inputs: [{ name: "a", type: "DOUBLE" }],
        outputs: [{ name: "o", type: "DOUBLE" }],
        params: [{ name: "t", type: "DOUBLE" }]
      },
      "predict.params[0]",
      "dtype"
    ],
    [
      "a non-integer shape",
      { inputs: [{ name: "a", type: "DOUBLE", shape: ["3"] }], outputs: [{ name: "o", type: "DOUBLE" }] },
      "predict.inputs[0]",
      "shape"
    ],
    ["inputs that are not a list", { inputs: {}, outputs: [] }, "predict", "inputs"],
    ["a signature that is not a mapping", "predict", "predict", "Expected"],
    [
      "an empty wire group",
      { inputs: [{ name: "g", specs: [] }], outputs: [{ name: "o", type: "DOUBLE" }] },
      "predict.inputs.g",
      "No children feature specs."
    ]
  ]
  it.each(badWire)("rejects %s, naming the entry", (_, wire, path, fragment) => {
    const error = failsWith(S.fromWire(wire, "predict"), "InvalidSignature", fragment)
    expect(error.path).toBe(path)
  })

  it("featuresFromWire decodes an input schema and names the entry", () => {
    expect(
      ok(S.featuresFromWire([{ name: "A", type: "INT64", nullable: true }], "input_schema"))
    ).toStrictEqual([S.feature("A", "INT64")])
    const bad = failsWith(
      S.featuresFromWire([{ name: "A", type: "INT64" }, { name: "B" }], "input_schema"),
      "InvalidSignature"
    )
    expect(bad.path).toBe("input_schema[1]")
    failsWith(
      S.featuresFromWire(
        [
          { name: "A", type: "INT64" },
          { name: "a", type: "INT64" }
        ],
        "input_schema"
      ),
      "InvalidSignature",
      "duplicate feature name"
    )
  })
})
