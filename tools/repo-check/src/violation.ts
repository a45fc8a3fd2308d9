/** Stable ids: tests and CI output refer to them. */
export type RuleId =
  | "plugin-imports-runtime"
  | "plugin-imports-plugin"
  | "core-imports-plugin"
  | "forbidden-import"
  | "unknown-package"
  | "undeclared-workspace-dependency"
  | "undeclared-dependency"
  | "native-module-owner"
  | "missing-tsconfig-reference"
  | "extra-tsconfig-reference"
  | "shared-library-dependency"
  | "shared-library-range"
  | "shared-library-pin"

export interface Violation {
  /** The package's name from its package.json. */
  readonly package: string
  /** Relative to the repo root, with forward slashes. */
  readonly file: string
  /** 1-based; absent for violations about a whole file. */
  readonly line?: number
  /** The module specifier or package name the violation is about. */
  readonly specifier?: string
  readonly rule: RuleId
  /** "warning" marks a gap in the rules themselves (a package the table does not know yet). */
  readonly severity: "error" | "warning"
  /** What is wrong and how to fix it. */
  readonly message: string
}

/** A broken rule before it is placed: `why` follows "<file> imports <specifier>: ". */
export interface Finding {
  readonly rule: RuleId
  readonly why: string
}

export const formatViolation = (violation: Violation): string => {
  const where = violation.line === undefined ? violation.file : `${violation.file}:${violation.line}`
  return `${where} ${violation.severity} [${violation.rule}] ${violation.message}`
}
