#!/usr/bin/env node
// Regenerate docs/reference/cli.md from the CLI's command declarations (built first by
// `npm run docs:cli`). A test in packages/runbatch fails when the page and the commands disagree.
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { cliReference } from "../../../packages/runbatch/dist/cli/Help.js"

const target = fileURLToPath(new URL("../../../docs/reference/cli.md", import.meta.url))
writeFileSync(target, cliReference())
console.error(`wrote ${target}`)
