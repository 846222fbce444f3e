/**
 * renderVerdict on verdicts the judge made from synthetic runs: the text and
 * markdown outputs list what decided the verdict and count the rest (bounded,
 * however many checks were not judged), `all` lists everything, JSON and
 * JUnit stay complete, and everything passes through the redactor.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { addRun, emptyBaseline, judge, renderVerdict, selectGate, summariseRun } from '@steady/baseline'
import { syntheticRun, type SyntheticRunOptions } from '@steady/baseline/testing'
import { Redactor, type Finding, type Verdict } from '@steady/record'

const day = (d: number) => new Date(Date.UTC(2026, 10, d))
const baseline = emptyBaseline('synthetic-store')
for (let i = 0; i < 5; i++)
  addRun(baseline, summariseRun(syntheticRun({ seed: `render-${i}`, durationScale: 0.1, startedAt: day(i + 1) })), {
    by: 't',
    now: day(i + 1),
    path: 'baselines/synthetic-store.json',
  })

const gates = {
  staging: { require: ['working', 'stable'] as ('working' | 'stable')[], flakeBudget: 0.05 },
  strict: {
    require: ['working', 'stable'] as ('working' | 'stable')[],
    flakeBudget: 0.05,
    notJudged: 'inconclusive' as const,
  },
}

function verdictOf(seed: string, o: Partial<SyntheticRunOptions> = {}, gate: keyof typeof gates = 'staging'): Verdict {
  const record = syntheticRun({ seed, durationScale: 0.1, startedAt: day(10), ...o })
  return judge({
    record,
    runFile: 'reports/ci/run.json',
    baseline,
    baselineFile: 'baselines/synthetic-store.json',
    gate: selectGate(gates, gate),
    now: day(11),
  })
}

/** The verdict with `n` more secondary checks not judged, as a long soak with many steps has. */
function withManyNotJudged(v: Verdict, n: number): Verdict {
  const model = v.findings.find(
    (f) => f.status === 'not-judged' && !f.primary && typeof f.evidence?.values === 'number',
  )!
  const extra: Finding[] = Array.from({ length: n }, (_, i) => ({
    ...model,
    id: `${model.id}#${i}`,
    scenario: `flow-${i}`,
    message: `flow-${i} › ${model.step} not judged (copy ${i})`,
  }))
  return { ...v, findings: [...v.findings, ...extra] }
}

/** Primary first, then by id: a fixed order to pick findings by. */
const sorted = (fs: Finding[]) =>
  [...fs].sort((x, y) => Number(y.primary) - Number(x.primary) || x.id.localeCompare(y.id))
/** How the text names a step's series: `checkout › pay (load)`, `all load steps`. */
const what = (f: Finding) =>
  f.step === '*' ? `all ${f.series!.split('/')[0]} steps` : `${f.scenario} › ${f.step} (${f.series!.split('/')[0]})`
const flat = (s: string) => s.replace(/\n +/g, ' ')
const slow = verdictOf('render-slow', { change: { kind: 'step-latency', magnitude: 1.5, target: 'checkout/pay' } })
const clean = verdictOf('render-clean')

test('many secondary checks not judged: the text stays bounded and counts them; all lists each one', () => {
  const v = withManyNotJudged(clean, 400)
  const notJudged = v.findings.filter((f) => f.status === 'not-judged' && !f.primary)
  assert.ok(notJudged.length > 400)
  const text = renderVerdict(v, 'text')
  const lines = text.split('\n')
  const primaryNotJudged = v.findings.filter((f) => f.status === 'not-judged' && f.primary).length
  // the head, the primary checks not judged (a line or two each), the counts, the warnings
  assert.ok(lines.length < 30 + 2 * primaryNotJudged, `${lines.length} lines:\n${text}`)
  assert.match(text, new RegExp(`not judged: ${notJudged.length} secondary checks`))
  assert.match(
    flat(text),
    /\d+ too few values \([^)]*\d+ (level|tail) p\d\d[^)]*\), e\.g\. .* \d+ values, too few for a p\d\d/,
  )
  assert.match(text, /passed: \d+ checks \(\d+ primary\): \d+ [a-z-]+/)
  assert.match(text, /--all lists every check/)
  assert.not.match(text, /copy 17/)
  const all = renderVerdict(v, 'text', { all: true })
  for (const f of v.findings) assert.ok(flat(all).includes(f.message), `--all misses ${f.id}`)
  assert.match(all, new RegExp(`secondary checks not judged \\(${notJudged.length}\\):`))
})

test('primary checks not judged have a line each, naming what and why', () => {
  const v = verdictOf('render-strict', {}, 'strict')
  assert.is(v.result, 'inconclusive')
  const text = renderVerdict(v, 'text')
  const primary = v.findings.filter((f) => f.status === 'not-judged' && f.primary)
  assert.ok(primary.length > 0)
  assert.match(
    text,
    new RegExp(`primary checks not judged \\(${primary.length}\\): the gate counts them as inconclusive`),
  )
  for (const f of primary.filter((x) => x.step && x.step !== '*')) {
    assert.match(flat(text), `– ${f.scenario} › ${f.step} (load) ${f.stat} in ${f.phase}:`)
  }
  assert.match(flat(text), /(\d+ values, too few for a p\d\d|could see only changes from \+[\d.]+%)/)
  assert.match(text, /^steady verdict — INCONCLUSIVE \(gate strict\), exit 3 \(inconclusive\)$/m)
  assert.match(text, /^stable: +inconclusive — \d+ primary checks not judged$/m)
})

test('many primary checks not judged under a gate that allows them: the largest rises listed, the rest counted', () => {
  const primary = clean.findings.filter((f) => f.status === 'not-judged' && f.primary)
  assert.ok(primary.length > 12, String(primary.length))
  const text = renderVerdict(clean, 'text')
  assert.match(text, new RegExp(`primary checks not judged \\(${primary.length}\\): the gate allows it`))
  assert.is((text.match(/^  – /gm) ?? []).length, 12)
  assert.match(
    flat(text),
    new RegExp(
      `… and ${primary.length - 12} more \\(largest rises listed first\\): \\d+ (too few values|could not see a change of the tolerance)`,
    ),
  )
  const top = [...primary].sort(
    (a, b) => (b.change ?? 0) / (b.tolerance || 1) - (a.change ?? 0) / (a.tolerance || 1),
  )[0]
  assert.ok(
    text.indexOf('  – ') === text.indexOf(`  – ${top.step && top.step !== '*' ? `${top.scenario} › ${top.step}` : ''}`),
    text,
  )
})

test('a saturated load generator: the causes in full, the checks they made inconclusive counted by phase, hidden rises named', () => {
  const v: Verdict = structuredClone(slow)
  for (const f of v.findings) {
    if (f.phase !== 'nominal' && f.phase !== 'peak') continue
    if (!(f.series?.startsWith('load/') || ['level', 'tail', 'drift'].includes(f.kind))) continue
    f.status = 'inconclusive'
    f.message += ` — inconclusive: the load generator was saturated in ${f.phase}`
  }
  for (const phase of ['nominal', 'peak']) {
    v.findings.push({
      id: `generator-saturated:${phase}`,
      kind: 'generator-saturated',
      question: 'stable',
      status: 'inconclusive',
      primary: true,
      phase,
      message: `the load generator was saturated in 6 of 10 windows of ${phase}`,
    })
  }
  Object.assign(v, {
    result: 'inconclusive',
    exitCode: 3,
    stable: { status: 'inconclusive', reason: '', findings: [] },
  })
  const affected = v.findings.filter((f) => f.status === 'inconclusive' && f.kind !== 'generator-saturated')
  assert.ok(affected.length > 50, String(affected.length))
  const text = renderVerdict(v, 'text')
  assert.ok(text.split('\n').length < 80, text)
  assert.match(text, /\? the load generator was saturated in 6 of 10 windows of nominal\n/)
  assert.match(
    text,
    new RegExp(
      `and ${affected.length} checks these made inconclusive \\(--all lists them\\):\n    in (nominal|peak): \\d+ primary \\(`,
    ),
  )
  const hidden = affected.filter(
    (f) => f.primary && (f.pAdjusted ?? f.pValue ?? 1) <= v.gate.alpha && (f.change ?? 0) > (f.tolerance ?? Infinity),
  )
  assert.ok(hidden.length > 0)
  assert.match(text, `${hidden.length} of them primary and past the tolerance, not confirmed while the cause holds:`)
  for (const f of hidden.slice(0, 12))
    assert.ok(text.includes(`? ${f.scenario} › ${f.step} (load) ${f.stat} in ${f.phase}: `), f.id)
  const md = renderVerdict(v, 'markdown')
  assert.match(md, new RegExp(`${affected.length - Math.min(hidden.length, 12)} more checks inconclusive`))
})

test('a verdict inconclusive for another cause does not list every primary check not judged the gate allows', () => {
  const v: Verdict = structuredClone(clean)
  v.findings.push({
    id: 'generator-saturated:quiet',
    kind: 'generator-saturated',
    question: 'stable',
    status: 'inconclusive',
    primary: true,
    phase: 'quiet',
    message: 'the load generator was saturated in quiet',
  })
  Object.assign(v, {
    result: 'inconclusive',
    exitCode: 3,
    stable: { status: 'inconclusive', reason: '', findings: [] },
  })
  const primary = v.findings.filter((f) => f.status === 'not-judged' && f.primary).length
  assert.ok(primary > 12)
  const text = renderVerdict(v, 'text')
  assert.is((text.match(/^  – /gm) ?? []).length, 12, text)
  // under a gate that counts them as inconclusive, every one is a reason
  const strict = renderVerdict({ ...v, gate: { ...v.gate, notJudged: 'inconclusive' } }, 'text')
  assert.is((strict.match(/^  – /gm) ?? []).length, primary)
})

test('every failing finding is listed: primary ones with their sentence and id, secondary ones a line each', () => {
  assert.is(slow.result, 'fail')
  const text = renderVerdict(slow, 'text')
  const primary = slow.findings.filter((f) => f.status === 'fail' && f.primary)
  const secondary = slow.findings.filter((f) => f.status === 'fail' && !f.primary)
  assert.ok(primary.length > 0 && secondary.length > 0)
  for (const f of primary) {
    assert.ok(flat(text).includes(f.message), f.message)
    assert.match(text, `id ${f.id}`)
  }
  for (const f of secondary.filter((x) => x.step && x.series))
    assert.ok(text.includes(`${what(f)} ${f.stat} in ${f.phase}: `), f.id)
  // primary before secondary; the head says the result, the gate, the run, the baseline and the exit code
  assert.ok(text.indexOf('stable — failing') < text.indexOf('secondary, reported, not gating'))
  assert.match(text, /^steady verdict — FAIL \(gate staging\), exit 1 \(fail\)\n/)
  assert.match(
    text,
    /\nrun synthetic-render-slow \(synthetic-store 1\.0\.0\) from reports\/ci\/run\.json\nbaseline: 5 runs \(5 comparable\) in baselines\/synthetic-store\.json\n/,
  )
  // The first screen opens with what failed, one sentence each, before the run and the baseline.
  const head = text.slice(0, text.indexOf('\nrun synthetic-render-slow'))
  if (primary.length <= 5) for (const f of primary) assert.ok(flat(head).includes(f.message), `opening: ${f.message}`)
  assert.match(text, /^stable: +NO — \d+ primary checks? failed$/m)
  assert.match(text, /\nexit 1 \(fail\)\n$/)
})

test('most severe first within a group; accepted and muted findings say by whom and why', () => {
  // three failing findings (the judge's primary family decides how many are primary; the order is the renderer's)
  const [a, b, accepted] = sorted(slow.findings.filter((f) => f.status === 'fail'))
  assert.ok(a && b && accepted)
  const v: Verdict = {
    ...slow,
    findings: slow.findings.map((f) =>
      f === a
        ? { ...f, primary: true, severity: 'minor' }
        : f === b
          ? { ...f, primary: true, severity: 'critical' }
          : f === accepted
            ? {
                ...f,
                status: 'accepted',
                accepted: { by: 'ana', reason: 'the new fraud check', at: '2026-11-20T10:00:00.000Z' },
              }
            : f,
    ),
  }
  const text = renderVerdict(v, 'text')
  assert.ok(text.indexOf(`id ${b.id}`) < text.indexOf(`id ${a.id}`), 'critical before minor')
  assert.match(flat(text), /accepted and muted \(1\): +~ .*accepted by ana on 2026-11-20: the new fraud check/)
  const muted: Verdict = {
    ...slow,
    findings: slow.findings.map((f) =>
      f === a
        ? { ...f, status: 'muted', muted: { owner: 'team-pay', until: '2026-12-31', reason: 'known slow PSP' } }
        : f,
    ),
  }
  assert.match(flat(renderVerdict(muted, 'text')), /muted by team-pay until 2026-12-31: known slow PSP/)
})

test('lines stay within 120 characters; colour only when asked', () => {
  for (const v of [slow, clean, withManyNotJudged(clean, 50), verdictOf('render-w', {}, 'strict')]) {
    for (const all of [false, true]) {
      const text = renderVerdict(v, 'text', { all })
      // a word longer than the line (a series key) stays whole
      for (const line of text.split('\n'))
        assert.ok(line.length <= 120 || !line.trim().includes(' '), `${line.length}: ${line}`)
      assert.not.match(text, /\u001b\[/)
    }
  }
  assert.match(renderVerdict(slow, 'text', { color: true }), /\u001b\[1;31mFAIL\u001b\[0m/)
})

test('secrets are redacted in every format', () => {
  const secret = 'sk_live_4f9a8b7c6d5e4f3a'
  const f = slow.findings.find((x) => x.status === 'fail' && x.primary)!
  const v: Verdict = {
    ...slow,
    findings: slow.findings.map((x) => (x === f ? { ...x, message: `${x.message} (token ${secret})` } : x)),
    warnings: [`header leaked ${secret}`],
  }
  const redactor = new Redactor({ secrets: [secret] })
  for (const format of ['text', 'markdown', 'junit', 'json'] as const) {
    for (const all of [false, true]) assert.not.match(renderVerdict(v, format, { redactor, all }), secret, format)
  }
})

test('markdown: a table of what decided it, counts, and the rest folded in <details>', () => {
  const v = withManyNotJudged(slow, 300)
  const md = renderVerdict(v, 'markdown')
  assert.match(md, /^### ❌ steady verdict: \*\*FAIL\*\* \(gate `staging`\), exit 1 \(fail\)/)
  const details = md.indexOf('<details>')
  assert.ok(details > 0)
  for (const f of v.findings.filter((x) => x.status === 'fail' && x.primary)) {
    const at = md.indexOf(`| ❌ | ${f.message.replace(/\|/g, '\\|')}`)
    assert.ok(at > 0 && at < details, f.id)
  }
  const notJudged = v.findings.filter((f) => f.status === 'not-judged' && !f.primary).length
  assert.match(md, new RegExp(`${notJudged} secondary checks not judged \\(`))
  assert.match(md, /\d+ checks passed \(\d+ primary; /)
  // every check not judged has a row: the primary ones in the table (or folded when many), the secondary ones folded
  const allNotJudged = v.findings.filter((f) => f.status === 'not-judged' || f.status === 'inconclusive').length
  assert.is((md.match(/\n\| ⚠️ \|/g) ?? []).length, allNotJudged)
  assert.ok((md.slice(details).match(/\n\| ⚠️ \|/g) ?? []).length >= notJudged)
  // passing checks are folded in only with all
  assert.not.match(md.slice(details), /\| ✅ \|/)
  assert.match(renderVerdict(v, 'markdown', { all: true }).split('<details>')[1], /\| ✅ \|/)
  // a comment GitHub accepts, however many checks
  const huge = renderVerdict(withManyNotJudged(slow, 5000), 'markdown')
  assert.ok(huge.length < 65_536, String(huge.length))
  assert.match(huge, /… \d+ more: the comment would be too long; `--format json` lists them/)
  assert.match(huge, /<\/details>/)
})

test('JSON and JUnit stay complete: every finding in JSON; JUnit has each primary and each failing one, not-judged as skipped', () => {
  const v = withManyNotJudged(verdictOf('render-strict-2', {}, 'strict'), 100)
  const json = JSON.parse(renderVerdict(v, 'json')) as Verdict
  assert.is(json.findings.length, v.findings.length)
  const xml = renderVerdict(v, 'junit')
  const cases = v.findings.filter((f) => f.primary || f.status === 'fail')
  assert.is((xml.match(/<testcase /g) ?? []).length, cases.length)
  const skipped = cases.filter((f) => f.status === 'not-judged' || f.status === 'inconclusive').length
  assert.ok(skipped > 0)
  assert.match(
    xml,
    new RegExp(`<testsuites name="steady verdict" tests="${cases.length}" failures="0" skipped="${skipped}">`),
  )
})

test('a critical secondary change is shown near the top as such, never folded under a PASS', () => {
  assert.is(clean.result, 'pass')
  const model = clean.findings.find((f) => !f.primary && f.kind === 'leak')!
  const critical: Finding = {
    ...model,
    id: `${model.id}#critical`,
    status: 'fail',
    severity: 'critical',
    message: 'resident memory (/proc) grows 56.9 GiB/h within phases (after warm-ups)',
  }
  const text = renderVerdict({ ...clean, findings: [...clean.findings, critical] }, 'text')
  const head = text.slice(0, text.indexOf('\nrun synthetic-render-clean'))
  assert.match(head, /^steady verdict — PASS/)
  assert.match(
    flat(head),
    /critical change the gate does not count \(secondary findings, listed below\): ✗ \[critical\] resident memory \(\/proc\) grows 56\.9 GiB\/h/,
  )
  // The pull-request comment says it right under its PASS headline too.
  const md = renderVerdict({ ...clean, findings: [...clean.findings, critical] }, 'markdown').split('\n')
  assert.match(md[0], /PASS/)
  assert.match(
    md[2],
    /^> 🔸 \*\*critical change the gate does not count\*\* \(secondary\): resident memory \(\/proc\) grows 56\.9 GiB\/h/,
  )
})

test.run()
