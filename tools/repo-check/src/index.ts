export { checkRepo, type RepoCheck } from "./check-repo.ts"
export {
  type BlockDiagnostic,
  compileDocBlocks,
  type DocBlocksCompilation,
  docBlockCompilerOptions,
  formatBlockDiagnostic
} from "./compile-doc-blocks.ts"
export {
  type CheckedLanguage,
  type CodeBlock,
  checkedLanguages,
  codeBlocks,
  docCodeBlocks,
  docFiles,
  namedExample
} from "./doc-blocks.ts"
export { moduleReferences, packageNameOf } from "./module-specifiers.ts"
export { type AllowedImports, contractPackages, coreBoundaries, nativeModuleOwners } from "./rules.ts"
export { formatViolation, type RuleId, type Violation } from "./violation.ts"
export { discoverWorkspace, type PackageKind, type WorkspacePackage } from "./workspace.ts"
