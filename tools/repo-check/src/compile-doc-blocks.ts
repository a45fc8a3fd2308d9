/**
 * Compiles documentation code blocks the way a user's project would: each block its own ES module
 * (so top-level `await` works), strict, NodeNext, ES2023 with Node's types. `ts`/`typescript` blocks
 * are `.mts` files; `js`/`mjs` blocks are `.mjs` files, type-checked too (`checkJs`), so a wrong API
 * name is an error in either. The workspace packages resolve to their TypeScript sources through the
 * `@runbatch/source` export condition, so nothing needs building first.
 *
 * The blocks are served from memory at paths under `tools/repo-check/.doc-blocks/` — never written —
 * so `@runbatch/*`, effect and apache-arrow resolve from the repository's node_modules as they would
 * for a file there. One program holds every block: far faster than one program per block.
 */
import { join, resolve } from "node:path"
import ts from "typescript"
import type { CodeBlock } from "./doc-blocks.ts"

/** What a user's tsconfig would say, plus what reading the workspace's sources needs. */
export const docBlockCompilerOptions: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2023,
  lib: ["lib.es2023.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  types: ["node"],
  skipLibCheck: true,
  allowJs: true,
  checkJs: true,
  // The workspace packages as sources: src/index.ts, whose relative imports end in .ts.
  customConditions: ["@runbatch/source"],
  allowImportingTsExtensions: true,
  noEmit: true
}

export interface BlockDiagnostic {
  readonly block: CodeBlock
  /** 1-based line in the markdown file. */
  readonly line: number
  readonly message: string
}

export interface DocBlocksCompilation {
  /** Problems in the blocks, in block order. */
  readonly diagnostics: ReadonlyArray<BlockDiagnostic>
  /** Problems with the compiler options or the global types: nothing can be trusted while any exist. */
  readonly global: ReadonlyArray<string>
}

/** Where a block lives while it is compiled: one folder per markdown file, the block's line as its name. */
const virtualPath = (root: string, block: CodeBlock): string =>
  join(
    resolve(root),
    "tools/repo-check/.doc-blocks",
    block.file.replace(/[^A-Za-z0-9._-]+/g, "_"),
    `line-${block.line}.${block.language === "ts" || block.language === "typescript" ? "mts" : "mjs"}`
  )

const flatten = (message: string | ts.DiagnosticMessageChain): string =>
  ts.flattenDiagnosticMessageText(message, "\n")

/** Type-checks every block not marked `no-check`; root is the repository root. */
export const compileDocBlocks = (root: string, blocks: ReadonlyArray<CodeBlock>): DocBlocksCompilation => {
  const byPath = new Map(
    blocks.filter((block) => block.skip === undefined).map((block) => [virtualPath(root, block), block])
  )
  const host = ts.createCompilerHost(docBlockCompilerOptions, true)
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (fileName) => byPath.has(resolve(fileName)) || fileExists.call(host, fileName)
  host.readFile = (fileName) => byPath.get(resolve(fileName))?.code ?? readFile.call(host, fileName)
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const block = byPath.get(resolve(fileName))
    if (block === undefined) return getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate)
    return ts.createSourceFile(fileName, block.code, languageVersion, true)
  }
  host.getCurrentDirectory = () => join(resolve(root), "tools/repo-check/.doc-blocks")
  const program = ts.createProgram({
    rootNames: [...byPath.keys()],
    options: docBlockCompilerOptions,
    host
  })
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map((diagnostic) =>
    flatten(diagnostic.messageText)
  )
  const diagnostics = [...byPath].flatMap(([path, block]) => {
    const sourceFile = program.getSourceFile(path)
    if (sourceFile === undefined) return [{ block, line: block.line, message: "the block was not compiled" }]
    return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)]
      .map((diagnostic) => ({
        block,
        // The code's first line is the line after the opening fence.
        line:
          block.line +
          1 +
          (diagnostic.start === undefined
            ? 0
            : sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line),
        message: `TS${diagnostic.code}: ${flatten(diagnostic.messageText)}`
      }))
      .sort((a, b) => a.line - b.line)
  })
  return { diagnostics, global }
}

export const formatBlockDiagnostic = (diagnostic: BlockDiagnostic): string =>
  `${diagnostic.block.file}:${diagnostic.line}: ${diagnostic.message}`
