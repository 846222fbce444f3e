/**
 * What the generators of committed files share (docs/cli.md, docs/errors.md,
 * docs/examples/steady-gate.yml): run as a script, each writes its file, or
 * with `--check` exits 1 when the committed file differs from what it would
 * write (their tests compare in memory); and Markdown-safe text.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { writeFileAtomic } from '@steady/record'

/** True when the module at `moduleUrl` is the script node was started with (not imported by a test). */
export function isScript(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href
}

/**
 * Writes `text` to `file` (relative to the repository root), or with `--check` in the arguments leaves it
 * alone and sets exit code 1 when it differs (a missing file counts as out of date), naming `regenerate`.
 */
export async function writeOrCheck(file: string, text: string, regenerate: string): Promise<void> {
  const path = join(import.meta.dirname, '..', file)
  if (!process.argv.includes('--check')) {
    await writeFileAtomic(path, text)
    process.stdout.write(`wrote ${file}\n`)
    return
  }
  let current = ''
  try {
    current = readFileSync(path, 'utf8')
  } catch {
    // missing counts as out of date
  }
  if (current !== text) {
    process.stderr.write(`${file} is out of date: run ${regenerate}\n`)
    process.exitCode = 1
  }
}

/** Markdown-safe text for a table cell or a paragraph: no raw HTML, no column breaks. */
export function md(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/\n+/g, ' ')
}
