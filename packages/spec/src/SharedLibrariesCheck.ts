/** spec's copies of effect and apache-arrow, and spec itself, registered when it loads (SharedLibraries). */
import { register } from "./SharedLibraries.ts"

register(import.meta.url)
