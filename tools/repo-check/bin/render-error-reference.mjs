#!/usr/bin/env node
// Regenerate docs/reference/errors.md from the error catalogue in @runbatch/spec (built first by
// `npm run docs:errors`). A test in packages/spec fails when the page and the catalogue disagree.
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { renderReference } from "@runbatch/spec"

const target = fileURLToPath(new URL("../../../docs/reference/errors.md", import.meta.url))
writeFileSync(target, renderReference())
console.error(`wrote ${target}`)
