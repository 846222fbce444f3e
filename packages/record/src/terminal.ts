/**
 * Text from a run (scenario names, response bodies, error messages) shown on
 * a terminal or a CI log. A service under test controls much of it, so it
 * must not move the cursor, recolour the screen, hide text (ANSI escapes,
 * bidirectional overrides) or start a GitHub Actions workflow command
 * (`::error`, `::stop-commands::`, `::add-mask::`), which the runner reads
 * from any line of the log whose first non-blank characters are `::`.
 */

/** C0 and C1 controls, DEL, and the bidirectional overrides and isolates: what a terminal acts on. */
export const controlCharacter = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
const unsafe = new RegExp(controlCharacter.source, 'g')

function escapeChar(c: string): string {
  switch (c) {
    case '\n':
      return '\\n'
    case '\r':
      return '\\r'
    case '\t':
      return '\\t'
    case '\u001b':
      return '\\e'
    default: {
      const code = c.charCodeAt(0)
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
    }
  }
}

/** A line starting (after blanks) with `::` gets a backslash: `\::error` is text, not a workflow command. */
function neutraliseLine(line: string): string {
  return line.replace(/^(\s*)::/, '$1\\::')
}

/**
 * One line of text for a terminal: every control character is written as an
 * escape (`\n`, `\e`, `\x07`, `\u202e`), so a name with a newline stays on its
 * line, and a leading `::` is neutralised.
 */
export function terminalLine(text: string): string {
  return neutraliseLine(text.replace(unsafe, escapeChar))
}

/**
 * Several lines of text for a terminal (a response body, a message with a
 * diff): newlines (CRLF too) and tabs are kept, every other control
 * character is escaped, and each line starting with `::` is neutralised.
 */
export function terminalText(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => neutraliseLine(line.replace(unsafe, (c) => (c === '\t' ? c : escapeChar(c)))))
    .join('\n')
}

/**
 * A copy of a JSON-like value with every string passed through
 * {@link terminalLine} (a name or message with a newline stays on its line),
 * for renderers that print a whole document (a verdict) and colour it themselves.
 */
export function terminalSafe<T>(value: T): T {
  if (typeof value === 'string') return terminalLine(value) as T
  if (Array.isArray(value)) return value.map((v: unknown) => terminalSafe(v)) as T
  if (value === null || typeof value !== 'object' || value instanceof Date) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = terminalSafe(v)
  return out as T
}
