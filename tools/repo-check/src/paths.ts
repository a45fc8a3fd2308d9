import { relative, sep } from "node:path"

/** path.relative with forward slashes, as written in tsconfig.json and shown in messages. */
export const relativePosix = (from: string, to: string): string => relative(from, to).split(sep).join("/")
