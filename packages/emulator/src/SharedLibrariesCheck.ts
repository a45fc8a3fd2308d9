/**
 * This package's copies of effect, apache-arrow and runbatch's shared packages, registered when it
 * loads: a second copy in the app fails here, by name (see @runbatch/spec's SharedLibraries).
 */
import { SharedLibraries } from "@runbatch/spec"

SharedLibraries.register(import.meta.url)
