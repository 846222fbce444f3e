/**
 * A run record whose strings carry `<script>` and `<img onerror>` payloads
 * (scenario and step names, tags, messages, bodies, headers), opened in
 * headless Chromium: nothing executes and the text shows literally. Checked
 * twice: as rendered, and with the page's Content-Security-Policy removed, so
 * the escaping itself is what is tested, not the policy behind it.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { renderReport } from '@steady/report'
import { makeRecord, PAYLOADS, SECRET } from '../src/testing/make-record.ts'
import { chartsDrawn, chartsWithPixels, chromiumAvailable, launch, openReport } from './fixtures/browser.ts'

const artifacts = resolve(import.meta.dirname, '../../../test-artifacts/report')
const available = chromiumAvailable('the report XSS test')
let browser: Browser | undefined
let withPolicy = ''
let withoutPolicy = ''

test.before(async () => {
  if (!available) return
  mkdirSync(artifacts, { recursive: true })
  const dir = mkdtempSync(join(tmpdir(), 'steady-report-xss-'))
  const page = renderReport({ record: makeRecord({ dir, durationMs: 10 * 60_000, hostile: true }) })
  withPolicy = join(dir, 'report.html')
  writeFileSync(withPolicy, page)
  const stripped = page.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
  assert.is.not(stripped, page)
  withoutPolicy = join(dir, 'report-no-csp.html')
  writeFileSync(withoutPolicy, stripped)
  browser = await launch()
})

test.after(async () => {
  await browser?.close()
})

for (const [name, file] of [
  ['as rendered', () => withPolicy],
  ['with its Content-Security-Policy removed', () => withoutPolicy],
] as const) {
  test(`hostile strings ${name}: nothing executes, the text shows literally`, async () => {
    if (!browser) return
    const { page, errors, requests, dialogs } = await openReport(browser, file())
    await chartsDrawn(page)
    // Give any onerror/onload handler a chance to fire.
    await page.waitForTimeout(200)
    assert.is(await page.evaluate('typeof window.__xss'), 'undefined', 'no payload ran')
    assert.equal(dialogs, [])
    assert.equal(errors, [], 'no console errors (a blocked script would log one)')
    assert.equal(requests, [], 'no request (an <img src=x> would make one)')
    const dom = (await page.evaluate(`({
      scripts: document.querySelectorAll('script').length,
      imgs: document.querySelectorAll('img').length,
      handlers: Array.from(document.querySelectorAll('*')).filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith('on'))).length,
      text: document.body.innerText,
      legends: Array.from(document.querySelectorAll('.u-legend .u-label')).map((e) => e.textContent).join('\\n'),
      title: document.title,
    })`)) as { scripts: number; imgs: number; handlers: number; text: string; legends: string; title: string }
    assert.is(dom.scripts, 3, 'only the data, uPlot and the page script')
    assert.is(dom.imgs, 0)
    assert.is(dom.handlers, 0)
    for (const p of [PAYLOADS.script, PAYLOADS.img, PAYLOADS.closeScript, PAYLOADS.attr]) {
      assert.ok(dom.text.includes(p), `the page shows ${p} literally`)
    }
    assert.ok(dom.legends.includes(PAYLOADS.closeScript), 'chart legends show it literally too')
    assert.ok(dom.title.includes(PAYLOADS.img), 'and the title')
    assert.not.ok(dom.text.includes(SECRET), 'no secret on the page')
    const charts = await chartsWithPixels(page)
    assert.equal(
      charts.filter((c) => !c.drawn),
      [],
      'the charts still draw',
    )
    if (file() === withPolicy) await page.screenshot({ path: join(artifacts, 'xss.png'), fullPage: false })
    await page.context().close()
  })
}

test.run()
