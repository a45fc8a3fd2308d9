/**
 * Which headers an engine's options may configure, and which of them carry credentials (whose values
 * must come from environment variables, never from options stored in the model version and the plan).
 */

/** Header names runbatch sets itself or that would change where or how a request is sent. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection"
])

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/** Why a configured header name cannot be used, or undefined when it can. */
export const headerNameProblem = (name: string): string | undefined => {
  if (!TOKEN.test(name)) return `${JSON.stringify(name)} is not a valid HTTP header name.`
  if (RESERVED_HEADERS.has(name.toLowerCase()))
    return `the header ${name} is set by runbatch (it decides where and how requests are sent) and cannot be configured.`
  return undefined
}

/**
 * Names of headers that carry credentials: their values must come from environment variables, never
 * from options (which are stored in the model version and the job's plan).
 */
export const isCredentialHeader = (name: string): boolean =>
  /^(authorization|proxy-authorization|cookie)$/i.test(name) ||
  /(key|token|secret|password|auth|session|signature)/i.test(name)
