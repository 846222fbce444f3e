/**
 * The repo's test runner: every `*.test.ts` under `packages/*\/test` and `test/`
 * runs as its own uvu process (through tsx, on the packages' sources), two at a
 * time on this two-core machine; files named `*.serial.test.ts` (live soaks,
 * load) run alone so another file's CPU does not disturb what they measure.
 *
 * uvu prints `Total:` / `Passed:` / `Skipped:` per process; this script adds
 * them up and ends with the line CI reads: `N passed, N failed, N skipped`.
 *
 *   tsx scripts/test.ts                 every file
 *   tsx scripts/test.ts record scenario files whose path contains one of the words
 */
import { spawn } from 'node:child_process'
import { readdirSync, statSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname, '..')
const filters = process.argv.slice(2)
const concurrency = Number(process.env.STEADY_TEST_CONCURRENCY ?? 2)
const fileTimeoutMs = Number(process.env.STEADY_TEST_FILE_TIMEOUT_MS ?? 10 * 60_000)

function findTests(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'fixtures' || entry.startsWith('.')) continue
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) findTests(path, out)
    else if (entry.endsWith('.test.ts')) out.push(path)
  }
  return out
}

const files = [
  ...readdirSync(join(root, 'packages')).flatMap((pkg) => findTests(join(root, 'packages', pkg, 'test'))),
  ...findTests(join(root, 'test')),
]
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort()

interface FileResult {
  file: string
  passed: number
  failed: number
  skipped: number
  code: number | null
  output: string
}

const ansi = /\u001b\[[0-9;]*m/g

function runFile(file: string): Promise<FileResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=steady-source', '--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => {
      output += `\n[test runner] ${file} did not finish within ${fileTimeoutMs / 1000}s: killed\n`
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }, fileTimeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      // A file's children (servers, CLIs) must not outlive it.
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
      const plain = output.replace(ansi, '')
      const num = (label: string) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0)
      const total = num('Total')
      const passed = num('Passed')
      const skipped = num('Skipped')
      let failed = Math.max(0, total - passed - skipped)
      // A crash before uvu could print its summary, or an exit code uvu did not explain.
      if (code !== 0 && failed === 0) failed = 1
      resolve({ file, passed, failed, skipped, code, output: plain })
    })
  })
}

const results: FileResult[] = []
const serial = files.filter((f) => f.endsWith('.serial.test.ts'))
const parallel = files.filter((f) => !f.endsWith('.serial.test.ts'))

function report(r: FileResult): void {
  const mark = r.failed > 0 ? 'FAIL' : 'ok  '
  process.stdout.write(
    `\n── ${mark} ${r.file}: ${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}\n`,
  )
  if (r.failed > 0 || process.env.STEADY_TEST_VERBOSE) process.stdout.write(r.output.trimEnd() + '\n')
  else {
    // Lines a test prints on purpose for CI's reader (a tool that was not there, a k6 test not run).
    // uvu's progress bullets may come first on the same line: print from the note on.
    for (const line of r.output.split('\n')) {
      const at = line.indexOf('[note]')
      if (at >= 0) process.stdout.write(`   ${line.slice(at)}\n`)
    }
  }
}

async function pool(list: string[], width: number): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(width, list.length) }, async () => {
      while (next < list.length) {
        const file = list[next++]
        const r = await runFile(file)
        results.push(r)
        report(r)
      }
    }),
  )
}

process.stdout.write(
  `running ${files.length} test files (${parallel.length} ${concurrency} at a time, ${serial.length} alone)\n`,
)
await pool(parallel, concurrency)
await pool(serial, 1)

const passed = results.reduce((s, r) => s + r.passed, 0)
const failed = results.reduce((s, r) => s + r.failed, 0)
const skipped = results.reduce((s, r) => s + r.skipped, 0)
const failedFiles = results.filter((r) => r.failed > 0).map((r) => r.file)
if (failedFiles.length) process.stdout.write(`\nfailed files:\n${failedFiles.map((f) => `  ${f}`).join('\n')}\n`)
if (files.length === 0) process.stdout.write('no test files matched\n')
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0
