/** camelCase fields in TypeScript, snake_case on the wire: `encodeKeys` derived from the struct itself. */
import { Schema, String as Str } from "effect"

type CamelToSnake<S extends string> = S extends `${infer H}${infer T}`
  ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${CamelToSnake<T>}`
  : S

export const snakeKeys = <S extends Schema.Top & { readonly fields: Schema.Struct.Fields }>(self: S) =>
  self.pipe(
    Schema.encodeKeys(
      Object.fromEntries(Object.keys(self.fields).map((k) => [k, Str.camelToSnake(k)])) as {
        readonly [K in keyof S["fields"]]: K extends string ? CamelToSnake<K> : K
      }
    )
  )
