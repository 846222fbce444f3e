/**
 * Reading the JSON files steady is handed (run records, baselines, verdicts):
 * only regular files (a FIFO would block the reader forever, a device would
 * never end), and parse errors that say what the file is — empty, not JSON,
 * cut short, or broken at a line and column — without quoting any of it: the
 * file may hold secrets.
 */
import { constants, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'
import { SteadyError, type SteadyErrorCode } from '@steady/kernel'

/** What a file is, for the messages: its kind (`run record`), error codes and hints. */
export interface JsonFileKind {
  /** What the file is, in a sentence: `run record`, `baseline`, `verdict`. */
  what: string
  /** Code when the file cannot be opened or is not a regular file (`STEADY_RECORD_NOT_FOUND`). */
  notFoundCode: SteadyErrorCode
  /** Code when it is not valid JSON (`STEADY_RECORD_UNREADABLE`). */
  unreadableCode: SteadyErrorCode
  /** What to do when the path is wrong or not a file. */
  pathHint: string
  /** What to do when the content is not what was expected. */
  contentHint: string
  /** What to do when the file is a JSON document cut short (default: `contentHint`). */
  truncatedHint?: string
}

function fileType(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder'
  if (stats.isFIFO()) return 'a named pipe (FIFO)'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device'
  return 'not a regular file'
}

/**
 * Reads a regular file as UTF-8. The file is opened non-blocking and checked
 * with fstat on the same descriptor, so a FIFO is refused without waiting for
 * a writer (and nothing can swap the file between the check and the read).
 */
export async function readRegularFile(path: string, kind: JsonFileKind): Promise<string> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new SteadyError(kind.notFoundCode, `cannot read ${kind.what} ${path}: ${why}`, {
      hint: kind.pathHint,
      cause: error,
      details: { file: path },
    })
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) {
      throw new SteadyError(kind.notFoundCode, `${path} is ${fileType(stats)}, not a ${kind.what} file`, {
        hint: kind.pathHint,
        details: { file: path },
      })
    }
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

/** How a text that `JSON.parse` refused is broken (nothing of the text itself). */
export type JsonProblem =
  | { kind: 'empty' }
  | { kind: 'not-json' }
  | { kind: 'truncated' }
  | { kind: 'invalid'; line: number; column: number }
  | { kind: 'invalid' }

/** Classifies a JSON.parse failure of `text` from its error's position. */
export function jsonProblem(text: string, error: unknown): JsonProblem {
  const content = text.trimEnd()
  if (content.trim() === '') return { kind: 'empty' }
  const message = error instanceof Error ? error.message : ''
  const at = /at position (\d+)/.exec(message)
  const position = at ? Number(at[1]) : /Unexpected end of JSON input/.test(message) ? content.length : undefined
  // The parser read to the end without finding a mistake: the text is the start of a JSON document.
  if (position !== undefined && position >= content.length) return { kind: 'truncated' }
  const first = content.length - content.trimStart().length
  if (position === first || !/^[{["\-0-9tfn]/.test(content.trimStart())) return { kind: 'not-json' }
  if (position === undefined) return { kind: 'invalid' }
  const before = text.slice(0, position)
  const line = before.split('\n').length
  return { kind: 'invalid', line, column: position - before.lastIndexOf('\n') }
}

/** Parses `text` as JSON; on failure, a SteadyError saying how it is broken, quoting none of it. */
export function parseJsonText(text: string, file: string, kind: JsonFileKind): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    const problem = jsonProblem(text, error)
    const how =
      problem.kind === 'empty'
        ? 'is empty'
        : problem.kind === 'not-json'
          ? 'is not JSON'
          : problem.kind === 'truncated'
            ? 'is cut short: it is the beginning of a JSON document (the file looks truncated)'
            : 'line' in problem
              ? `is not valid JSON: a syntax error at line ${problem.line}, column ${problem.column}`
              : 'is not valid JSON'
    throw new SteadyError(kind.unreadableCode, `${file} ${how}; expected a ${kind.what}`, {
      hint: problem.kind === 'truncated' ? (kind.truncatedHint ?? kind.contentHint) : kind.contentHint,
      details: { file, problem: problem.kind },
    })
  }
}
