/**
 * Helpers for wire formats (plan.json, _manifest.json, commit records): camelCase in TypeScript,
 * snake_case on the wire, and canonical JSON for hashing.
 */
export { snakeKeys } from "./internal/snake.ts"
export { canonicalJson } from "./JobPlan.ts"
