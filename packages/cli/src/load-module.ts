/**
 * Turns an error thrown while importing a user's TypeScript file (a syntax
 * error from esbuild, or an exception at top level) into one line naming the
 * file and line.
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export function formatLoadError(error: unknown, file: string): string {
  const e = error as { message?: string; stack?: string; errors?: { text: string; location?: { file: string; line: number; column: number } }[] }
  // esbuild transform errors carry structured locations.
  const first = e?.errors?.[0]
  if (first?.location) return `${first.location.file}:${first.location.line}:${first.location.column}: ${first.text}`
  const full = e?.message ?? String(error)
  // esbuild's message names file:line:col on a line of its own when it is a syntax error.
  const syntax = full.match(/^(\S+):(\d+):(\d+): (?:ERROR: )?(.*)$/m)
  if (syntax) return `${relative(process.cwd(), syntax[1]) || syntax[1]}:${syntax[2]}:${syntax[3]}: ${syntax[4]}`
  const message = full.split('\n').find((l) => l.trim() !== '') ?? full
  const line = locate(e?.stack ?? '', file)
  return line ? `${line}: ${message}` : message
}

function locate(stack: string, file: string): string | undefined {
  for (const raw of stack.split('\n')) {
    const m = raw.match(/\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/)
    if (!m) continue
    const path = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1]
    if (path === file || path.startsWith(file.replace(/\.[cm]?[jt]s$/, ''))) return `${relative(process.cwd(), path) || path}:${m[2]}`
  }
  return undefined
}
