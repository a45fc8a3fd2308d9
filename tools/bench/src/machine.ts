import { availableParallelism, cpus } from "node:os"

/** Where figures were measured: they mean little without it. */
export interface Machine {
  /** YYYY-MM-DD, UTC. */
  readonly date: string
  readonly nodeVersion: string
  readonly cpuModel: string
  readonly cores: number
}

export const describeMachine = (now: Date = new Date()): Machine => ({
  date: now.toISOString().slice(0, 10),
  nodeVersion: process.version,
  cpuModel: cpus()[0]?.model.trim() || "unknown CPU",
  cores: availableParallelism()
})
