/**
 * Keeping secrets out of messages. Text a server sent — a reply's body, a value it answered — reaches
 * errors, row errors (`RowFailed`, `_ERROR`), logs and the job's status only through a `Redactor`:
 *
 * - **What is redacted.** The literal values of the secrets it was made with, and of every secret
 *   read in this thread through `secretFromEnvironment` (API keys, header values), each also as JSON
 *   writes it inside a string; and credentials of a known shape whatever their value: the token after
 *   `Bearer`, OpenAI-style keys (`sk-…`). Each becomes `***`.
 * - **Redact, then cut.** `snippet` redacts the whole text before cutting it to its limit, so a
 *   secret that straddles the cut is still recognised; and a cut that ends in the first characters of
 *   a secret (four or more), or in what may begin an `sk-` key, drops them too. A body is read up to
 *   a window (64 KiB) first, and the window's end is treated as a cut.
 * - **What others' cuts left.** Any eight characters of a secret, anywhere in a text, are masked
 *   too: a JSON parser's error quotes ten characters of its input, cut where it pleases.
 *
 * Every module that quotes a server uses one: `HttpEndpoint` (`endpoint.redactor`), `jsonColumns`
 * (a value that does not fit its output), the HTTP engines, and the runtime for every message an
 * engine hands it (`redact`).
 */

export const REDACTED = "***"

/** Characters of a secret a cut may leave at its end, at most (fewer reveal nothing useful). */
const MAX_KEPT_AT_CUT = 3

/** A run of this many characters of a secret, anywhere in a text, is masked as part of it. */
const RUN = 8

/** Bytes of a body read for a quote: the whole of a usual error, never all of a huge one. */
const WINDOW_BYTES = 64 * 1024

/** Credentials recognised by their shape, whatever their value. */
const TOKEN_SHAPES: ReadonlyArray<readonly [RegExp, string]> = [
  // A bearer token as the Authorization header carries it: the scheme stays, the token goes.
  [/\b(Bearer)(\s+)[A-Za-z0-9\-._~+/]+=*/gi, `$1$2${REDACTED}`],
  // OpenAI-style API keys (sk-…, sk-proj-…).
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED]
]

/** At a cut, what may be the start of such a key is dropped, however short. */
const START_AT_CUT = /\bsk-[A-Za-z0-9_-]*$/

/** Secrets read in this thread (`rememberSecret`): every redactor redacts them too. */
const remembered = new Set<string>()

/**
 * Remember a secret's value for every redactor of this thread (the runtime's included). Called by
 * `secretFromEnvironment`; call it for a secret read otherwise.
 */
export const rememberSecret = (value: string): void => {
  if (value !== "") remembered.add(value)
}

export interface Redactor {
  /** `text` with every secret and every credential of a known shape replaced by `***`. */
  readonly redact: (text: string) => string
  /**
   * `text` (or a body, read as UTF-8 up to a 64 KiB window) redacted, on one line, and cut to `limit`
   * characters followed by `…` when longer — redacted whole first, so no part of a secret survives
   * the cut.
   */
  readonly snippet: (text: string | Uint8Array, limit?: number) => string
}

/** The forms a secret takes in text: itself, and as JSON escapes it inside a string. */
const formsOf = (secret: string): Array<string> => {
  const json = JSON.stringify(secret).slice(1, -1)
  return json === secret ? [secret] : [secret, json]
}

/** A redactor for `secrets` (and the secrets remembered in this thread). */
export const redactor = (secrets: ReadonlyArray<string> = []): Redactor => {
  const own = secrets.filter((s) => s !== "")
  let literals: ReadonlyArray<string> = []
  let runs: ReadonlyArray<string> = []
  let knownFor = -1
  /**
   * Every form of every secret, longest first (so that "Bearer <key>" goes before "<key>"); and the
   * runs of RUN characters of each secret that holds no other (not "Bearer <key>": "Bearer t" is not
   * secret), which mark what another's cut left of it anywhere in a text.
   */
  const known = () => {
    if (knownFor !== remembered.size) {
      knownFor = remembered.size
      const all = [...new Set([...own, ...remembered])]
      literals = [...new Set(all.flatMap(formsOf))].sort((a, b) => b.length - a.length)
      const bare = all.filter((s) => !all.some((other) => other !== s && s.includes(other)))
      runs = [
        ...new Set(
          bare
            .flatMap(formsOf)
            .flatMap((s) => Array.from({ length: s.length - RUN + 1 }, (_, i) => s.slice(i, i + RUN)))
        )
      ]
    }
    return { literals, runs }
  }

  const redact = (text: string): string => {
    const { literals, runs } = known()
    let out = text
    for (const secret of literals) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    // Part of a secret that someone else's cut left (a JSON parser quoting ten characters of a reply):
    // every run of it found is masked, neighbouring runs as one.
    let masked: Uint8Array | undefined
    for (const run of runs) {
      for (let at = out.indexOf(run); at !== -1; at = out.indexOf(run, at + 1)) {
        masked ??= new Uint8Array(out.length)
        masked.fill(1, at, at + run.length)
      }
    }
    if (masked !== undefined) {
      let kept = ""
      for (let i = 0; i < out.length; i++) {
        if (masked[i] === 0) kept += out[i]
        else if (i === 0 || masked[i - 1] === 0) kept += REDACTED
      }
      out = kept
    }
    for (const [shape, replacement] of TOKEN_SHAPES) out = out.replace(shape, replacement)
    return out
  }

  /** `kept` (text that was cut just after it) without a secret's first characters at its end. */
  const safeCut = (kept: string): string => {
    let longest = 0
    for (const secret of known().literals) {
      for (let n = Math.min(secret.length - 1, kept.length); n > MAX_KEPT_AT_CUT && n > longest; n--) {
        if (kept.endsWith(secret.slice(0, n))) {
          longest = n
          break
        }
      }
    }
    // What is left is redacted again: a credential's shape (`Bearer tok-…`) matches a part of it.
    const left = longest === 0 ? kept : `${kept.slice(0, kept.length - longest)}${REDACTED}`
    return redact(left).replace(START_AT_CUT, REDACTED)
  }

  const snippet = (text: string | Uint8Array, limit = 300): string => {
    let whole: string
    if (typeof text === "string") whole = text
    else {
      const bytes = Buffer.from(text.buffer, text.byteOffset, text.byteLength)
      whole =
        bytes.length > WINDOW_BYTES
          ? `${safeCut(bytes.subarray(0, WINDOW_BYTES).toString("utf8"))} …`
          : bytes.toString("utf8")
    }
    // Redacted before and after the line is flattened: a secret holding a line break or two spaces
    // is found as it came, one whose surroundings changed as it reads.
    const flat = redact(redact(whole).replace(/\s+/g, " ").trim())
    return flat.length > limit ? `${safeCut(flat.slice(0, limit))}…` : flat
  }

  return { redact, snippet }
}

/** Redacts the secrets remembered in this thread and credentials of a known shape. */
export const redact: (text: string) => string = redactor().redact
