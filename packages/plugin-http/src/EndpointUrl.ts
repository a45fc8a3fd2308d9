/**
 * The one place an endpoint's requests may go: the scheme, host and port of its configured URL. A URL
 * is checked at plan time (`endpointUrlProblem`, from an engine's `prepare`) and read once when the
 * endpoint opens (`endpointTarget`).
 */

/** Why `url` cannot be an endpoint, or undefined when it can (plan-time check for engine options). */
export const endpointUrlProblem = (url: string): string | undefined => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `${JSON.stringify(url)} is not an absolute URL (e.g. http://127.0.0.1:8000/predict).`
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return `the URL must be http: or https:, got ${parsed.protocol}`
  if (parsed.username !== "" || parsed.password !== "")
    return "the URL holds a user name or password, which would be stored in plans and manifests; send credentials in a header whose value comes from an environment variable."
  if (parsed.hash !== "") return "the URL has a #fragment, which HTTP never sends; remove it."
  return undefined
}

/** Where requests go: what a socket needs, and the origin and path messages name. */
export interface EndpointTarget {
  readonly secure: boolean
  readonly protocol: "http:" | "https:"
  /** The host as the socket takes it: `[::1]` in a URL is `::1`. */
  readonly hostname: string
  readonly port: number
  /** `scheme://host:port`. */
  readonly origin: string
  /** The URL's path and query: where a request without a path of its own goes. */
  readonly basePath: string
}

/** The target of a URL `endpointUrlProblem` accepts. */
export const endpointTarget = (url: string): EndpointTarget => {
  const parsed = new URL(url)
  const secure = parsed.protocol === "https:"
  return {
    secure,
    protocol: secure ? "https:" : "http:",
    hostname: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? (secure ? 443 : 80) : Number(parsed.port),
    origin: parsed.origin,
    basePath: `${parsed.pathname}${parsed.search}`
  }
}

/** Whether `path` stays on the origin: absolute, and not `//host/…` (which would name another). */
export const isPathOnOrigin = (path: string): boolean => path.startsWith("/") && !path.startsWith("//")
