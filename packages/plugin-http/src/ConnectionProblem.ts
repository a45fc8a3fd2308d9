/**
 * What a failed connection means for a request: Node's error codes sorted into what a retry may cure (a
 * refused connection, a reset, a TLS handshake cut short) and what it cannot (an unresolvable host, a
 * certificate no trusted authority vouches for, expired or for another host, `https:` to a plain-HTTP
 * server). Certificate checks are never turned off: a private authority comes in through
 * `NODE_EXTRA_CA_CERTS`.
 */
import { type AttemptFailure, FatalFailure, TransientFailure } from "./AttemptFailure.ts"

const NOT_TLS = "it does not answer in TLS; is the URL https: where the server speaks plain http:?"

/** OpenSSL's verdicts on a certificate chain no trusted authority vouches for: retrying cannot help. */
const UNTRUSTED_CERTIFICATE = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "INVALID_CA"
])

export const connectionProblem = (error: NodeJS.ErrnoException): AttemptFailure => {
  switch (error.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new FatalFailure({ reason: "its host name cannot be resolved; check the URL." })
    case "ECONNREFUSED":
      return new TransientFailure({ reason: "the connection was refused (is the server running?)" })
    case "ERR_INVALID_CHAR":
    case "ERR_INVALID_HTTP_TOKEN":
      return new FatalFailure({
        reason: "a header holds a character HTTP does not allow (a line break in an environment variable?)."
      })
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return new FatalFailure({
        reason: `its TLS certificate is for another host (${error.message}); check the URL's host name.`
      })
    case "CERT_HAS_EXPIRED":
    case "CERT_NOT_YET_VALID":
      return new FatalFailure({
        reason: `its TLS certificate is outside its validity dates (${error.code}); the server's certificate must be renewed.`
      })
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return new FatalFailure({ reason: NOT_TLS })
    case "EPROTO":
      // Node 20 reports every OpenSSL failure as EPROTO; only a plain-HTTP answer is sure not to pass.
      return /wrong version number/i.test(error.message)
        ? new FatalFailure({ reason: NOT_TLS })
        : new TransientFailure({ reason: `the TLS handshake failed (${error.message.split("\n")[0]})` })
    default:
      if (error.code !== undefined && UNTRUSTED_CERTIFICATE.has(error.code)) {
        return new FatalFailure({
          reason: `its TLS certificate is not trusted (${error.code}). If a private certificate authority signed it, give the replicas that authority's certificate: NODE_EXTRA_CA_CERTS=/path/to/ca.pem in their environment. runbatch never turns certificate checks off.`
        })
      }
      return new TransientFailure({ reason: `the connection failed (${error.code ?? error.message})` })
  }
}
