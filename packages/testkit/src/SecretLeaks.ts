/**
 * Checking that a secret stayed secret: `leaksOf(text, secret)` finds every run of eight characters
 * of the secret in a text — the whole secret, and any prefix or suffix a cut left behind — and
 * `quoting(secret, at)` is a server's answer with the secret at a chosen offset, to put it on either
 * side of a message's cut.
 */

/** The runs of `min` (default 8) characters of `secret` that `text` holds; empty when none. */
export const leaksOf = (text: string, secret: string, min = 8): Array<string> => {
  const size = Math.min(min, secret.length)
  const found = new Set<string>()
  for (let i = 0; i + size <= secret.length; i++) {
    const run = secret.slice(i, i + size)
    if (text.includes(run)) found.add(run)
  }
  return [...found]
}

/**
 * A body of `length` characters (at least) with `secret` starting at offset `at` (≥ 1), a space on
 * either side and dashes elsewhere — as a server quoting a header back in a long error would answer.
 */
export const quoting = (secret: string, at: number, length = 600): string =>
  `${"-".repeat(Math.max(0, at - 1))} ${secret} ${"-".repeat(Math.max(0, length - at - secret.length - 1))}`
