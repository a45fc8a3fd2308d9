import { Arrow } from "@runbatch/plugin-api"
import { engineConformance, TestEngine } from "@runbatch/testkit"
import engine from "../fixtures/runbatch-engine-test/index.js"

// The testkit engine passes the suite every engine runs.
const signature = TestEngine.signature

engineConformance({
  packageJson: new URL(`file://${TestEngine.packageDir}/package.json`),
  engine,
  request: {
    function: { name: "PREDICT", targetMethod: "predict", kind: "FUNCTION" },
    signature,
    options: { weights: [1, 2] },
    params: {},
    artifacts: [],
    engineArgsOverride: []
  },
  batch: new Arrow.RecordBatch({
    x: Arrow.vectorFromArray([1, 2, 3], new Arrow.Float64()).data[0]!,
    z: Arrow.vectorFromArray([0.5, null, 1], new Arrow.Float64()).data[0]!
  })
})
