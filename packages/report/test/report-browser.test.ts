/**
 * The report in a real browser (Debian's headless Chromium through
 * playwright-core): no console errors, no network, every chart drawn, the
 * verdict visible, usable at phone width, readable without JavaScript and
 * printed. Screenshots go to test-artifacts/report/.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { renderReport } from '@steady/report'
import { makeRecord } from '../src/testing/make-record.ts'
import { makeBaseline, makeVerdict } from '../src/testing/make-verdict.ts'
import { chartsDrawn, chartsWithPixels, chromiumAvailable, launch, openReport } from './fixtures/browser.ts'

const artifacts = resolve(import.meta.dirname, '../../../test-artifacts/report')
const available = chromiumAvailable('the report browser tests')
let browser: Browser | undefined
let file = ''
let judged = ''

test.before(async () => {
  if (!available) return
  mkdirSync(artifacts, { recursive: true })
  const dir = mkdtempSync(join(tmpdir(), 'steady-report-browser-'))
  const record = makeRecord({ dir, durationMs: 20 * 60_000 })
  file = join(dir, 'report.html')
  writeFileSync(file, renderReport({ record }))
  const baseline = makeBaseline({ durationMs: 20 * 60_000 }, 4)
  judged = join(dir, 'report-verdict.html')
  writeFileSync(
    judged,
    renderReport({
      record,
      baseline,
      verdict: makeVerdict(record, baseline),
      baselineName: 'baselines/demo-store.json',
    }),
  )
  browser = await launch()
})

test.after(async () => {
  await browser?.close()
})

test('desktop: no console errors, nothing loaded, every chart drawn with data, the verdict visible', async () => {
  if (!browser) return
  const { page, errors, requests, dialogs } = await openReport(browser, file, { width: 1280, height: 900 })
  await chartsDrawn(page)
  assert.equal(errors, [])
  assert.equal(requests, [])
  assert.equal(dialogs, [])
  const charts = await chartsWithPixels(page)
  assert.ok(charts.length >= 20, `${charts.length} charts`)
  const blank = charts.filter((c) => !c.drawn)
  assert.equal(blank, [], 'every chart has coloured pixels of data')
  assert.ok(await page.locator('#verdict').isVisible())
  assert.match(await page.locator('#verdict').innerText(), 'No verdict')
  // The failure timeline is SVG with a mark per failing window.
  assert.ok((await page.locator('.timeline svg rect.fail').count()) > 10)
  assert.ok((await page.locator('.timeline svg rect.restart').count()) === 1)
  await page.screenshot({ path: join(artifacts, 'desktop-top.png') })
  await page.screenshot({ path: join(artifacts, 'desktop-full.png'), fullPage: true })
  await page.context().close()
})

test('phone width: the page does not scroll sideways; tables scroll inside their box; charts fit', async () => {
  if (!browser) return
  const { page, errors } = await openReport(browser, file, { width: 390, height: 844 })
  await chartsDrawn(page)
  assert.equal(errors, [])
  const widths = (await page.evaluate(`({
    page: document.documentElement.scrollWidth,
    view: window.innerWidth,
    widest: Math.max(...Array.from(document.querySelectorAll('.uplot')).map((e) => e.getBoundingClientRect().right)),
  })`)) as { page: number; view: number; widest: number }
  assert.ok(widths.page <= widths.view, `page ${widths.page}px wide in a ${widths.view}px window`)
  assert.ok(widths.widest <= widths.view, `a chart reaches ${widths.widest}px`)
  assert.ok(await page.locator('#verdict').isVisible())
  await page.screenshot({ path: join(artifacts, 'phone-top.png') })
  await page.screenshot({ path: join(artifacts, 'phone-full.png'), fullPage: true })
  await page.context().close()
})

test('with a verdict and a baseline: the verdict is at the top, bands and rings drawn, nothing overflows a phone', async () => {
  if (!browser) return
  for (const [width, name] of [
    [1280, 'verdict-desktop'],
    [390, 'verdict-phone'],
  ] as const) {
    const { page, errors, requests } = await openReport(browser, judged, { width, height: 900 })
    await chartsDrawn(page)
    assert.equal(errors, [])
    assert.equal(requests, [])
    assert.equal(
      (await chartsWithPixels(page)).filter((c) => !c.drawn),
      [],
    )
    const verdict = page.locator('#verdict')
    assert.ok(await verdict.isVisible())
    assert.match(await verdict.innerText(), 'Failed against the staging gate')
    assert.ok(((await verdict.boundingBox())?.y ?? 1e9) < 400, 'the verdict is near the top')
    const wide = (await page.evaluate('document.documentElement.scrollWidth')) as number
    assert.ok(wide <= width, `${name}: page ${wide}px wide`)
    // A link from a finding opens the folded chart it points to.
    const link = page.locator('#verdict a[href^="#"]').first()
    const target = ((await link.getAttribute('href')) ?? '').slice(1)
    await link.click()
    await page.waitForFunction(
      `(() => { const e = document.getElementById(${JSON.stringify(target)}); return e && e.getBoundingClientRect().height > 0 })()`,
    )
    await page.evaluate('window.scrollTo(0, 0)')
    await page.screenshot({ path: join(artifacts, `${name}.png`) })
    await page.context().close()
  }
})

test('without JavaScript: the verdict, facts, tables and failure timeline are all there; charts say why they are missing', async () => {
  if (!browser) return
  const { page } = await openReport(browser, file, { javaScript: false })
  assert.ok(await page.locator('#verdict').isVisible())
  assert.ok((await page.locator('#scenarios table tbody tr').count()) === 3)
  assert.ok((await page.locator('#steps table tbody tr').count()) > 9)
  assert.ok((await page.locator('.timeline svg rect.fail').count()) > 10)
  assert.ok(await page.locator('.nojs').first().isVisible())
  assert.match(await page.locator('.nojs').first().innerText(), 'JavaScript')
  await page.screenshot({ path: join(artifacts, 'no-javascript.png') })
  await page.context().close()
})

test('print: navigation hidden, details opened, charts drawn at page width; a PDF comes out', async () => {
  if (!browser) return
  const { page, errors } = await openReport(browser, file)
  await chartsDrawn(page)
  await page.emulateMedia({ media: 'print' })
  assert.not.ok(await page.locator('nav.toc').isVisible())
  const pdf = join(artifacts, 'report.pdf')
  await page.pdf({ path: pdf, format: 'A4', printBackground: true })
  assert.ok(statSync(pdf).size > 50_000)
  // beforeprint opened every failure-sample block.
  assert.is(await page.locator('details:not([open]):not(.passed)').count(), 0)
  assert.equal(errors, [])
  await page.context().close()
})

test('served from an HTTP server on 127.0.0.1: no console errors, nothing else requested, every chart drawn', async () => {
  if (!browser) return
  const body = readFileSync(judged)
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/report.html' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
    res.end(req.url === '/report.html' ? body : 'not found')
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report.html`
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  try {
    const page = await context.newPage()
    const errors: string[] = []
    const requests: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url())
    })
    const response = await page.goto(url, { waitUntil: 'load' })
    assert.is(response?.status(), 200)
    await chartsDrawn(page)
    assert.equal(errors, [])
    assert.equal(requests, [])
    assert.equal(
      (await chartsWithPixels(page)).filter((c) => !c.drawn),
      [],
    )
    assert.match(await page.locator('#verdict').innerText(), 'Failed against the staging gate')
    await page.screenshot({ path: join(artifacts, 'served.png') })
  } finally {
    await context.close()
    await new Promise((done) => server.close(done))
  }
})

test.run()
