/**
 * `ALTER USER [IF EXISTS] name SET RSA_PUBLIC_KEY = '…' [RSA_PUBLIC_KEY_2 = '…']` and `UNSET
 * RSA_PUBLIC_KEY[, RSA_PUBLIC_KEY_2]`: the keys a user's key-pair logins are verified against
 * (Credentials). Every user exists in the emulator; other user properties are not supported.
 * The statement's literals never reach the history or the log (QueryHistory.redact).
 */
import { EmulatorSqlError, Identifier, UnsupportedStatement } from "@runbatch/spec"
import { Effect } from "effect"
import { KEY_SLOTS, type KeySlot, parsePublicKey, setPublicKey } from "../Credentials.ts"
import { isSymbol, isWord } from "../SqlTokens.ts"
import type { StatementHandler } from "../Statement.ts"
import { status } from "../StatementRows.ts"
import { nameAt } from "./SessionStatements.ts"
import { syntaxError } from "./StageSyntax.ts"

const isSlot = (name: string): name is KeySlot => (KEY_SLOTS as ReadonlyArray<string>).includes(name)

export const alterUser: StatementHandler = {
  kind: "ALTER USER",
  matches: ({ keywords }) => keywords.startsWith("ALTER USER"),
  run: (statement, context) =>
    Effect.gen(function* () {
      const words = statement.words
      let at = 2
      if (isWord(words[at], "IF")) at += 2
      const name = nameAt(words, at)
      if (name.text === "") return yield* syntaxError(statement, "the user name is missing")
      const user = yield* Identifier.resolve(name.text)
      const action = words[name.end]
      const unsupported = () =>
        new UnsupportedStatement({
          statement: statement.text,
          kind: "ALTER USER other than SET/UNSET RSA_PUBLIC_KEY",
          hint: "Users log in with the emulator's password, a key pair, or a minted token"
        })
      const changes: Array<readonly [KeySlot, string | undefined]> = []
      if (isWord(action, "SET")) {
        for (let i = name.end + 1; i < words.length; i += 3) {
          const property = words[i]
          const value = words[i + 2]
          const slot = property?.text.toUpperCase() ?? ""
          if (!isSlot(slot)) return yield* unsupported()
          if (!isSymbol(words[i + 1], "=") || value?.kind !== "string")
            return yield* syntaxError(statement, `write ${slot} = '<base64 public key>'`)
          if (parsePublicKey(value.value) === undefined)
            return yield* new EmulatorSqlError({
              statement: statement.text,
              code: "002029",
              sqlState: "22023",
              reason: `${slot} is not an RSA public key: give the base64 body of a PEM public key (openssl rsa -pubout).`
            })
          changes.push([slot, value.value])
          if (isSymbol(words[i + 3], ",")) i++
        }
      } else if (isWord(action, "UNSET")) {
        for (const token of words.slice(name.end + 1)) {
          if (isSymbol(token, ",")) continue
          const slot = token.text.toUpperCase()
          if (!isSlot(slot)) return yield* unsupported()
          changes.push([slot, undefined])
        }
      } else return yield* unsupported()
      if (changes.length === 0) return yield* syntaxError(statement, "nothing to SET or UNSET")
      for (const [slot, key] of changes)
        yield* Effect.promise(() => setPublicKey(context.home, user, slot, key))
      return status("Statement executed successfully.")
    })
}
