/**
 * The last lines of a service's log, for the error that says why it did not
 * come up. Reads only the end of the file, so a huge log costs nothing.
 */
import { openSync, readSync, fstatSync, closeSync } from 'node:fs'

/** The last `lines` lines of `file` (at most the last 256 KiB), or '' when it cannot be read. */
export function tailFile(file: string, lines = 50, maxBytes = 256 * 1024): string {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch {
    return ''
  }
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, maxBytes)
    const buf = Buffer.alloc(length)
    readSync(fd, buf, 0, length, size - length)
    const text = buf.toString('utf8').replace(/\r\n/g, '\n').replace(/\n+$/, '')
    return text === '' ? '' : text.split('\n').slice(-lines).join('\n')
  } finally {
    closeSync(fd)
  }
}
