#!/usr/bin/env node
// The `runbatch` command: a stable, executable entry in the package (the build writes dist/).
import "../dist/cli/main.js"
