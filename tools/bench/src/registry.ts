import type { Benchmark } from "./benchmark.ts"
import { cliStart } from "./benchmarks/cli-start.ts"
import { committer } from "./benchmarks/committer.ts"
import { customHttp } from "./benchmarks/custom-http.ts"
import { gbdt } from "./benchmarks/gbdt.ts"
import { jobGbdt } from "./benchmarks/job-gbdt.ts"
import { materialize } from "./benchmarks/materialize.ts"
import { memoryScale } from "./benchmarks/memory-scale.ts"
import { mlp } from "./benchmarks/mlp.ts"
import { ocr } from "./benchmarks/ocr.ts"
import { vllm } from "./benchmarks/vllm.ts"

// One line per benchmark, each from its own file under ./benchmarks/, e.g.
//   import { gbdt } from "./benchmarks/gbdt.ts"
// Order here is the order of the run and of the table in docs/performance.md.
export const benchmarks: ReadonlyArray<Benchmark> = [
  materialize,
  committer,
  gbdt,
  mlp,
  ocr,
  vllm,
  customHttp,
  jobGbdt,
  cliStart,
  memoryScale
]
