/**
 * A failure confined to one row (a missing file, an unparseable value, a refused prompt). Plugins report
 * these as data beside their results rather than failing the whole batch: the runtime either fails the
 * job naming the row (`onError: "fail"`) or records the message in the row's `_ERROR` column
 * (`onError: "record"`).
 */
export interface RowError {
  /** Index of the row in the batch the plugin was given (0-based). */
  readonly row: number
  readonly message: string
}
