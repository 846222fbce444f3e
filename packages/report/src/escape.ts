/**
 * Escaping for the two places untrusted text lands in the report: HTML (text
 * and attribute values) and JSON embedded in a `<script>` element. Step names,
 * tags, response bodies and messages come from the service under test or from
 * a team's files; none of it may become markup or script.
 */

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

/**
 * Escapes text for an HTML text node or a quoted attribute value. Quotes are
 * escaped too, so the same function is safe in `attr="..."` and `attr='...'`.
 * Non-strings are converted with `String()`; `undefined`/`null` become ''.
 */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return ''
  return String(value).replace(/[&<>"'`]/g, (c) => htmlEscapes[c])
}

/**
 * Serialises a value as JSON that is safe inside `<script type="application/json">`:
 * `<`, `>` and `&` become `\u003c`, `\u003e`, `\u0026` (so neither `</script>`
 * nor `<!--` can end or change the element), and U+2028/U+2029 are escaped
 * (they end a line in older JavaScript parsers). `JSON.parse` gives back the
 * original value unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  )
}

/** A tagged template whose interpolations are HTML-escaped, unless they are {@link Html} (already safe). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) out += toHtml(values[i]) + strings[i + 1]
  return new Html(out)
}

/** Markup that is already safe (built by {@link html} or from escaped parts). */
export class Html {
  readonly value: string
  constructor(value: string) {
    this.value = value
  }
  toString(): string {
    return this.value
  }
}

/** Joins parts (Html kept, strings escaped) into one Html. */
export function join(parts: Iterable<unknown>, separator = ''): Html {
  const out: string[] = []
  for (const p of parts) out.push(toHtml(p))
  return new Html(out.join(separator))
}

function toHtml(value: unknown): string {
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map(toHtml).join('')
  if (value === false || value === undefined || value === null) return ''
  return escapeHtml(value)
}
