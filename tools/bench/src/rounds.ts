/**
 * Timing a subject against its reference on this noisy 2-core machine: alternate which goes first in
 * each round (the run after a large write pays for its writeback) and keep the fastest of each, since
 * noise only ever slows a run down.
 */
export interface Rounds {
  readonly subjectSeconds: number
  readonly referenceSeconds: number
  readonly rounds: number
}

/** `subject(round)` and `reference(round)` each return the seconds of their timed part. */
export const bestOfAlternating = async (
  rounds: number,
  subject: (round: number) => Promise<number>,
  reference: (round: number) => Promise<number>
): Promise<Rounds> => {
  let subjectSeconds = Number.POSITIVE_INFINITY
  let referenceSeconds = Number.POSITIVE_INFINITY
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      referenceSeconds = Math.min(referenceSeconds, await reference(round))
      subjectSeconds = Math.min(subjectSeconds, await subject(round))
    } else {
      subjectSeconds = Math.min(subjectSeconds, await subject(round))
      referenceSeconds = Math.min(referenceSeconds, await reference(round))
    }
  }
  return { subjectSeconds, referenceSeconds, rounds }
}
