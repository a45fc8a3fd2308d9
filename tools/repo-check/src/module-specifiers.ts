import { builtinModules } from "node:module"
import ts from "typescript"

export interface ModuleReference {
  readonly specifier: string
  /** 1-based line of the specifier. */
  readonly line: number
  /** Erased from the emitted JavaScript: `import type`, `export type … from`, `typeof import("x")`. */
  readonly typeOnly: boolean
}

const scriptKindOf = (fileName: string): ts.ScriptKind =>
  /\.[cm]?jsx?$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS

// preProcessFile finds every specifier but does not say which are type-only, so the syntax tree
// marks those, keyed by the position of the string literal (where preProcessFile points too).
const typeOnlySpecifierPositions = (fileName: string, text: string): ReadonlySet<number> => {
  const sourceFile = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(fileName))
  const positions = new Set<number>()
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && node.importClause?.isTypeOnly) {
      positions.add(node.moduleSpecifier.getStart(sourceFile))
    } else if (ts.isExportDeclaration(node) && node.isTypeOnly && node.moduleSpecifier) {
      positions.add(node.moduleSpecifier.getStart(sourceFile))
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      node.isTypeOnly &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      positions.add(node.moduleReference.expression.getStart(sourceFile))
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      positions.add(node.argument.literal.getStart(sourceFile))
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return positions
}

const lineAt = (text: string, position: number): number => text.slice(0, position).split("\n").length

/** Every module specifier of a source file: static and dynamic imports, re-exports, require(). */
export const moduleReferences = (fileName: string, text: string): ReadonlyArray<ModuleReference> => {
  const { importedFiles } = ts.preProcessFile(text, true, true)
  if (importedFiles.length === 0) return []
  const typeOnly = typeOnlySpecifierPositions(fileName, text)
  return importedFiles.map((imported) => ({
    specifier: imported.fileName,
    line: lineAt(text, imported.pos),
    typeOnly: typeOnly.has(imported.pos)
  }))
}

const builtins = new Set(builtinModules)

/**
 * The package a bare specifier resolves to (`effect/Schema` → `effect`, `@a/b/c` → `@a/b`), or
 * undefined for relative paths, URLs, `#imports` and node builtins, which no package.json declares.
 */
export const packageNameOf = (specifier: string): string | undefined => {
  if (/^[./#]/.test(specifier) || specifier.includes(":")) return undefined
  const segments = specifier.split("/")
  const name = specifier.startsWith("@") ? segments.slice(0, 2).join("/") : segments[0]!
  return builtins.has(name) ? undefined : name
}
