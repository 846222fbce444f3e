/**
 * `steady soak` end to end, with the real CLI, a real demo store as an
 * ephemeral process environment, the embedded load engine and scraping.
 * Each soak is a few seconds (`--duration-scale`).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readRunRecord, type RunRecord } from '@steady/record'
import { steadyChild, type ChildResult, type OnStderr } from './helpers/cli-child.ts'

const fixture = join(import.meta.dirname, 'fixtures', 'soak')

function steady(args: string[], env: Record<string, string> = {}, onStderr?: OnStderr): Promise<ChildResult> {
  return steadyChild(fixture, args, { ...process.env, ...env }, onStderr)
}

function series(r: RunRecord, key: string) {
  const s = r.series.find((x) => x.key === key)
  assert.ok(s, `series ${key} in ${r.series.map((x) => x.key).join(', ')}`)
  return s!
}

test('a short soak on a fresh demo store writes a complete, valid record; the leak switch shows in its series', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-soak-'))
  const r = await steady(['soak', 'short', '--out', out, '--seed', 'soak-1', '--report'], {
    STORE_FAULT_LEAK_BYTES: '65536',
  })
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, 'soak complete')
  const html = readFileSync(join(out, 'report.html'), 'utf8')
  assert.match(html, 'demo-store')
  assert.match(html, /without (a )?verdict|No verdict/i)
  assert.match(r.stderr, 'phase loaded started with load profile steady')
  const record = await readRunRecord(out)
  assert.is(record.complete, true)
  assert.is(record.kind, 'soak')
  assert.equal(
    record.phases.map((p) => p.name),
    ['quiet', 'loaded', 'after'],
  )
  // Each phase's warm-up as the plan set it (loaded: 1s) or defaulted it (20% of the phase), for the judge.
  assert.equal(
    record.phases.map((p) => p.warmupMs),
    [600, 1000, 400],
  )
  assert.is(record.subject.service, 'demo-store')
  assert.ok(record.subject.environment?.id, 'environment id in the subject')
  assert.is(record.comparability.engine, 'embedded')
  const loaded = record.phases[1].load!
  assert.is(loaded.executor, 'constant-arrival-rate')
  assert.is(loaded.targetRate, 40)
  assert.ok(loaded.iterations > 50, `load iterations ${loaded.iterations}`)
  // The probe loop ran throughout and is kept apart from the load's own traffic.
  const probe = record.scenarios.find((s) => s.name === 'browse')!
  assert.ok(probe.iterations >= 5 && probe.failed === 0, JSON.stringify(probe))
  assert.ok(series(record, 'probe/http_req_duration{name=login,scenario=browse}').phases.quiet.count > 0)
  assert.ok(
    record.series.some((s) => s.source === 'load' && s.name === 'http_reqs'),
    'load series recorded',
  )
  assert.ok(
    record.series.some((s) => s.source === 'generator'),
    'generator health recorded',
  )
  // The store's own report of what it retained rises, and so does its heap.
  const retained = series(record, 'service/store_fault_leak_retained_bytes{service=store}')
  const values = retained.windows.map((w) => w.value!)
  assert.ok(values.at(-1)! > values[0] && values.at(-1)! > 5_000_000, `retained ${values}`)
  const heap = series(record, 'service/nodejs_heap_size_used_bytes{service=store}')
  assert.ok(heap.phases.after.last! > heap.phases.quiet.first!, 'heap rises')
  assert.ok(series(record, 'service/proc_resident_memory_bytes{service=store}').windows.length > 3, '/proc sampled')
  // The store ran in its own environment, and it is gone.
  assert.ok(existsSync(join(out, 'events.ndjson')))
  assert.is(
    await fetch(`${record.subject.environment!.url}/health`).then(
      () => 'up',
      () => 'down',
    ),
    'down',
  )
})

test('the service crashing mid-soak is data: failures recorded, a crash event, and the soak still completes', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-soak-'))
  const r = await steady(['soak', 'short', '--out', out, '--duration-scale', '0.8'], { STORE_FAULT_CRASH_AFTER: '150' })
  assert.is(r.code, 0, r.stderr)
  const record = await readRunRecord(out)
  assert.is(record.complete, true, 'a crashed service gives a complete record')
  assert.ok(
    record.events.some((e) => e.kind === 'service-crash'),
    record.events.map((e) => e.kind).join(','),
  )
  const probe = record.scenarios.find((s) => s.name === 'browse')!
  assert.ok(probe.failed > 0 && probe.passed > 0, JSON.stringify(probe))
  const refused = record.failures.find(
    (f) => f.signature.errorCode === 'ECONNREFUSED' || /ECONN|socket|network/i.test(f.signature.errorCode ?? ''),
  )
  assert.ok(refused, JSON.stringify(record.failures.map((f) => f.signature)))
  assert.ok(refused!.samples[0].curl, 'a curl reproduction')
  assert.ok(refused!.firstAtMs > 0)
})

test('a scenario failing its preflight stops the soak early with exit 1; its record makes the verdict fail with the reason', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-soak-'))
  const r = await steady(['soak', 'short', '--out', out], { STORE_FAULT_ERRORS: '/api/login=1' })
  assert.is(r.code, 1)
  assert.match(r.stderr, 'preflight failed')
  assert.match(r.stderr, 'browse')
  assert.match(r.stderr, '--no-preflight')
  // The gate's next step finds a record that says why, not a missing file.
  const record = await readRunRecord(out)
  assert.is(record.complete, false)
  assert.match(record.incompleteReason ?? '', /^preflight failed: scenario browse \(/)
  const browse = record.scenarios.find((s) => s.name === 'browse')!
  assert.equal([browse.iterations, browse.failed], [1, 1])
  assert.ok(
    record.failures.some((f) => f.signature.scenario === 'browse' && f.samples[0].phase === 'preflight'),
    JSON.stringify(record.failures),
  )
  const verdict = await steady(['verdict', out, '--baseline', join(out, 'no-baseline.json')])
  assert.is(verdict.code, 1, verdict.stdout + verdict.stderr)
  assert.match(verdict.stdout, 'scenario browse failed in every one of its 1 iterations')
  assert.match(verdict.stdout, 'preflight failed')
})

test('--no-preflight soaks a failing version anyway; the live /metrics answer mid-soak; the subject names version and commit', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-soak-'))
  let metricsUrl: string | undefined
  let scrapedMidSoak: Promise<string> | undefined
  const r = await steady(
    [
      'soak',
      'short',
      '--out',
      out,
      '--no-preflight',
      '--metrics-port',
      '0',
      '--metrics-host',
      '127.0.0.1',
      '--tag',
      'version=1.4.2',
    ],
    { STORE_FAULT_ERRORS: '/api/login=1' },
    (text) => {
      metricsUrl ??= text.match(/live metrics of this soak: (http:\/\/\S+)/)?.[1]
      // Phase loaded starts after 3 s of quiet: the probe loop has run by then.
      if (metricsUrl && !scrapedMidSoak && text.includes('phase loaded started'))
        scrapedMidSoak = fetch(metricsUrl).then((res) => res.text())
    },
  )
  assert.is(r.code, 0, r.stderr)
  assert.not.match(r.stderr, 'preflight failed')
  assert.ok(metricsUrl?.startsWith('http://127.0.0.1:'), r.stderr)
  const metrics = await scrapedMidSoak!
  assert.match(metrics, 'steady_soak_phase{plan="short",phase="loaded"} 1')
  assert.match(metrics, 'steady_soak_phase{plan="short",phase="quiet"} 0')
  const failed = Number(
    metrics.match(/steady_soak_probe_iterations_total\{scenario="browse",result="failed"\} (\d+)/)?.[1],
  )
  assert.ok(failed > 0, metrics)
  assert.match(metrics, 'steady_soak_planned_seconds 9')
  // The live endpoint goes with the soak.
  assert.is(
    await fetch(metricsUrl!).then(
      () => 'up',
      () => 'down',
    ),
    'down',
  )
  const record = await readRunRecord(out)
  assert.is(record.complete, true)
  const browse = record.scenarios.find((s) => s.name === 'browse')!
  assert.ok(browse.failed >= failed && browse.passed === 0, JSON.stringify(browse))
  assert.is(record.subject.version, '1.4.2')
  assert.match(record.subject.commit ?? '', /^[0-9a-f]{40}$/)
})

test('after a SIGKILL, steady record recover writes an incomplete record; the store is left running until steady env down', async () => {
  const out = mkdtempSync(join(tmpdir(), 'steady-soak-'))
  let sent = false
  const r = await steady(['soak', 'long', '--out', out], {}, (text, kill) => {
    if (sent || !text.includes('phase quiet started')) return
    // Once a window has been flushed to the events file, kill -9: no handler runs.
    const poll = setInterval(() => {
      if (
        existsSync(join(out, 'events.ndjson')) &&
        readFileSync(join(out, 'events.ndjson'), 'utf8').includes('"t":"window"')
      ) {
        clearInterval(poll)
        kill('SIGKILL')
      }
    }, 100)
    sent = true
  })
  assert.is(r.code, null, 'killed by a signal')
  assert.not.ok(existsSync(join(out, 'run.json')), 'nothing compacted the record')
  const header = JSON.parse(readFileSync(join(out, 'events.ndjson'), 'utf8').split('\n')[0]) as { header: RunRecord }
  const env = header.header.subject.environment!
  // The store is its own process group: a SIGKILLed runner cannot stop it.
  assert.is(
    await fetch(`${env.url}/health`).then(
      () => 'up',
      () => 'down',
    ),
    'up',
  )

  const recovered = await steady(['record', 'recover', out])
  assert.is(recovered.code, 0, recovered.stderr)
  const record = await readRunRecord(out)
  assert.is(record.complete, false)
  assert.ok(record.incompleteReason, 'a reason')
  assert.ok(
    record.series.some((s) => s.windows.length > 0),
    'the flushed windows',
  )
  assert.ok(record.scenarios[0]?.iterations > 0, JSON.stringify(record.scenarios))

  const ls = await steady(['env', 'ls', '--format', 'json'])
  const listed = (JSON.parse(ls.stdout) as { environments: { id: string; status: string }[] }).environments.find(
    (e) => e.id === env.id,
  )
  assert.is(listed?.status, 'orphaned', ls.stdout)
  const down = await steady(['env', 'down', env.id])
  assert.is(down.code, 0, down.stderr)
  assert.is(
    await fetch(`${env.url}/health`).then(
      () => 'up',
      () => 'down',
    ),
    'down',
  )
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} mid-soak writes run.json marked incomplete, tears the store down, exits ${signal === 'SIGINT' ? 130 : 143}`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'steady-soak-'))
    let sent = false
    const r = await steady(['soak', 'long', '--out', out], {}, (text, kill) => {
      if (!sent && text.includes('phase quiet started')) {
        sent = true
        setTimeout(() => kill(signal), 2500)
      }
    })
    assert.is(r.code, signal === 'SIGINT' ? 130 : 143, r.stderr)
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunRecord
    assert.is(record.complete, false)
    assert.is(record.incompleteReason, signal)
    assert.ok(record.scenarios[0].iterations > 0, 'data up to the interrupt')
    // The store's log says it received SIGTERM from the teardown and stopped.
    const health = await fetch(`${record.subject.environment!.url}/health`).then(
      () => 'up',
      () => 'down',
    )
    assert.is(health, 'down')
  })
}

test.run()
