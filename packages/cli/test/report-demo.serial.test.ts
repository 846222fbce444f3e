/**
 * The demo's soak writes a report a person can read: a short `steady soak`
 * against a fresh demo store, `steady report` on its record, and the page
 * opened in headless Chromium (no console errors, no requests, every chart
 * drawn, the verdict box at the top). Screenshots go to test-artifacts/report/.
 *
 * Both commands run as the real binary in child processes; the soak is about
 * 30 s (the default plan at --duration-scale 0.05).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawn } from 'node:child_process'
import { chromium } from 'playwright-core'

const repo = resolve(import.meta.dirname, '../../..')
const bin = join(repo, 'packages/cli/bin/steady.js')
const artifacts = join(repo, 'test-artifacts/report')
const CHROMIUM = process.env.STEADY_CHROMIUM ?? '/usr/bin/chromium'

function steady(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, out })
    })
  })
}

function chromiumHere(): boolean {
  if (existsSync(CHROMIUM)) return true
  const how = 'install it with: apt-get update && apt-get install -y chromium'
  if (process.env.CI === 'true') throw new Error(`the demo report test needs Chromium at ${CHROMIUM}: ${how}`)
  console.log(`[note] the demo report test skipped: Chromium is not installed at ${CHROMIUM}; ${how}`)
  return false
}

test('steady soak on the demo store, then steady report: a page that opens clean with every chart drawn', async () => {
  if (!chromiumHere()) return
  const dir = mkdtempSync(join(tmpdir(), 'steady-demo-report-'))
  const soak = await steady(['soak', '--env', 'local', '--duration-scale', '0.05', '--out', dir], 180_000)
  assert.is(soak.code, 0, soak.out)
  const report = await steady(['report', dir], 60_000)
  assert.is(report.code, 0, report.out)
  const file = join(dir, 'report.html')
  assert.match(report.out, file)
  const html = readFileSync(file, 'utf8')
  assert.match(html, 'No verdict: this report was built without one')
  mkdirSync(artifacts, { recursive: true })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--headless',
    ],
  })
  try {
    for (const [width, name] of [
      [1280, 'demo-soak-desktop'],
      [390, 'demo-soak-phone'],
    ] as const) {
      const context = await browser.newContext({ viewport: { width, height: 900 } })
      const page = await context.newPage()
      const errors: string[] = []
      const requests: string[] = []
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
      page.on('pageerror', (e) => errors.push(String(e)))
      page.on('request', (r) => r.url() !== 'file://' + file && requests.push(r.url()))
      await page.goto('file://' + file)
      await page.waitForFunction("document.documentElement.hasAttribute('data-charts-drawn')", undefined, {
        timeout: 20_000,
      })
      assert.equal(errors, [])
      assert.equal(requests, [])
      const drawn = (await page.evaluate(
        `Array.from(document.querySelectorAll('[data-chart]')).map((e) => e.getAttribute('data-drawn') === '1')`,
      )) as boolean[]
      assert.ok(drawn.length >= 10, `${drawn.length} charts`)
      assert.ok(drawn.every(Boolean), 'every chart drew')
      assert.ok(await page.locator('#verdict').isVisible())
      const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number
      assert.ok(wide <= width, `${name}: page ${wide}px wide`)
      await page.screenshot({ path: join(artifacts, `${name}.png`) })
      await page.screenshot({ path: join(artifacts, `${name}-full.png`), fullPage: true })
      await context.close()
    }
  } finally {
    await browser.close()
  }
})

test.run()
