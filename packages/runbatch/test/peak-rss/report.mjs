// `node --import <this file>`: when the process exits, writes its peak resident memory in bytes to the
// file named by RUNBATCH_PEAK_RSS_FILE: the kernel's high-water mark of its memory (VmHWM), so no short
// peak is missed. Not getrusage's maxRSS: Linux carries that over from the forking process (a test
// runner of 300 MB) across exec.
import { readFileSync, writeFileSync } from "node:fs"

const file = process.env.RUNBATCH_PEAK_RSS_FILE
if (file === undefined) throw new Error("RUNBATCH_PEAK_RSS_FILE must name the file to write the peak RSS in")

process.on("exit", () => {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]
  if (kib === undefined) throw new Error("no VmHWM in /proc/self/status")
  writeFileSync(file, String(Number(kib) * 1024))
})
