/**
 * Quoting for commands steady prints for a person to paste into a shell:
 * replay lines, curl reproductions, hints. One function, so no printed
 * command quotes differently from another.
 */
import { controlCharacter } from './terminal.ts'

/** Characters a POSIX shell reads literally in an unquoted word. */
const plainWord = /^[A-Za-z0-9_./:@%+=,-]+$/

/** Control characters: a terminal would act on them, a pasted line would break at them. */
const control = controlCharacter

/**
 * Quotes one argument for a POSIX shell (sh, bash, zsh): a plain word stays
 * as it is, anything else goes in single quotes, inside which nothing is
 * expanded (`$(...)`, backticks, `$VAR`, `"`); a single quote inside becomes
 * `'\''`. A word with control characters (a newline, an escape) uses
 * `$'...'` instead (bash, zsh, ksh, POSIX.1-2024), where they are written as
 * `\n`, `\x1b`, ...: the line stays one line, a terminal shows it as text,
 * and the shell still passes exactly `word`. `always` quotes plain words too
 * (a curl URL reads better with its ends marked).
 */
export function shellQuote(word: string, always = false): string {
  if (!always && word !== '' && plainWord.test(word)) return word
  if (!control.test(word)) return `'${word.replace(/'/g, `'\\''`)}'`
  const escaped = [...word]
    .map((c) => {
      if (c === '\\' || c === "'") return `\\${c}`
      if (c === '\n') return '\\n'
      if (c === '\t') return '\\t'
      if (c === '\r') return '\\r'
      if (!control.test(c)) return c
      // Above \xff, a \x escape would stand for a byte, not a character: write the UTF-8 bytes.
      return [...Buffer.from(c, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')
    })
    .join('')
  return `$'${escaped}'`
}

/** Joins a command's words, each quoted with {@link shellQuote}. */
export function shellCommand(words: readonly (string | number)[]): string {
  return words.map((w) => shellQuote(String(w))).join(' ')
}
