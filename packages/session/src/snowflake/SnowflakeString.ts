/** `text` as a Snowflake string literal: backslashes are escapes there, so they are doubled too. */
export const snowflakeString = (text: string): string =>
  `'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`
