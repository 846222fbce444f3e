/**
 * The Grafana dashboard in docs/grafana: its JSON has the shape Grafana's
 * dashboard model expects, and every query in it is valid PromQL that a real
 * Prometheus (Debian's), scraping a real Pushgateway that steady pushed to,
 * evaluates without error; the main panels return data. Grafana itself is
 * not installed here, so the dashboard's rendering is not tested.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  HealthMetrics,
  ciProcess,
  doraProcess,
  judgeProcess,
  pushMetrics,
  pushObservation,
  type Observation,
} from '@steady/process-health'
import { poll, pushgatewayArgs, requireBinary, startServer, type Started } from './helpers/binaries.ts'
import { ciHistory } from './helpers/ci-history.ts'
import { repoRoot } from './helpers/steady-cli.ts'

interface Target {
  refId: string
  expr: string
  datasource?: { type?: string; uid?: string }
}

interface Panel {
  id: number
  type: string
  title: string
  gridPos: { h: number; w: number; x: number; y: number }
  datasource?: { type?: string; uid?: string }
  targets?: Target[]
}

interface Dashboard {
  title: string
  uid: string
  schemaVersion: number
  panels: Panel[]
  templating: { list: Array<{ name: string; type: string; query: unknown; datasource?: { uid?: string } }> }
  time: { from: string; to: string }
}

const file = join(repoRoot, 'docs/grafana/steady-process-health.json')
const dashboard = JSON.parse(readFileSync(file, 'utf8')) as Dashboard
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row')
/** The panels a team lead looks at first: each must show data once steady has pushed. */
const mainPanels = [
  'Process health now',
  'Process health over time',
  'Indicator health over time',
  'Durations: recent median and baseline',
  'Rates: recent and baseline',
  'Counts: recent and baseline per day',
  'Last observation of each duration',
  'DORA tiers',
]
/** Grafana's global variables, with values as Grafana would substitute them over a short range. */
const globals: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' }

test('the dashboard has the shape of Grafana JSON model: schemaVersion, panels on the grid, targets, variables', () => {
  assert.type(dashboard.title, 'string')
  assert.match(dashboard.uid, /^[a-zA-Z0-9_-]{1,40}$/)
  assert.ok(
    Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36,
    `schemaVersion ${dashboard.schemaVersion}`,
  )
  assert.ok(dashboard.time.from && dashboard.time.to)
  const variables = dashboard.templating.list
  const datasource = variables.find((v) => v.type === 'datasource')
  assert.ok(datasource, 'a datasource variable, so the dashboard imports into any Grafana')
  assert.is(datasource!.query, 'prometheus')
  const names = new Set(variables.map((v) => v.name))
  for (const v of variables.filter((v) => v.type === 'query'))
    assert.is(v.datasource?.uid, `\${${datasource!.name}}`, v.name)
  const ids = dashboard.panels.map((p) => p.id)
  assert.is(new Set(ids).size, ids.length, 'panel ids are unique')
  const cells = new Set<string>()
  for (const p of dashboard.panels) {
    const { h, w, x, y } = p.gridPos
    for (const n of [h, w, x, y])
      assert.ok(Number.isInteger(n) && n >= 0, `${p.title}: gridPos ${JSON.stringify(p.gridPos)}`)
    assert.ok(w >= 1 && x + w <= 24 && h >= 1, `${p.title}: fits the 24-column grid`)
    for (let r = y; r < y + h; r++) {
      for (let c = x; c < x + w; c++) {
        assert.not.ok(cells.has(`${r},${c}`), `${p.title} overlaps another panel at row ${r}, column ${c}`)
        cells.add(`${r},${c}`)
      }
    }
  }
  for (const p of queryPanels) {
    assert.is(p.datasource?.type, 'prometheus', p.title)
    assert.is(p.datasource?.uid, `\${${datasource!.name}}`, p.title)
    assert.ok(p.targets && p.targets.length > 0, `${p.title} has targets`)
    const refs = p.targets!.map((t) => t.refId)
    assert.is(new Set(refs).size, refs.length, `${p.title}: refIds unique`)
    for (const t of p.targets!) {
      assert.type(t.expr, 'string')
      for (const m of t.expr.matchAll(/\$\{?(\w+)\}?/g))
        assert.ok(names.has(m[1]) || m[1] in globals, `${p.title}: $${m[1]} is defined`)
    }
  }
  for (const title of mainPanels)
    assert.ok(
      queryPanels.some((p) => p.title === title),
      `panel "${title}" exists`,
    )
})

const prometheusBin = requireBinary('prometheus')
const pushgatewayBin = requireBinary('prometheus-pushgateway')
const define = prometheusBin && pushgatewayBin ? test : test.skip
let prometheus: Started | undefined
let pushgateway: Started | undefined

test.before(async () => {
  if (!prometheusBin || !pushgatewayBin) return
  pushgateway = await startServer(pushgatewayBin, (port, dir) => pushgatewayArgs(port, dir), 'steady-pushgateway-')
  const target = new URL(pushgateway.url).host
  prometheus = await startServer(
    prometheusBin,
    (port, dir) => {
      const config = join(dir, 'prometheus.yml')
      const yaml = [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: pushgateway',
        '    honor_labels: true',
        '    static_configs:',
      ]
      writeFileSync(config, [...yaml, `      - targets: ['${target}']`, ''].join('\n'))
      return [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ]
    },
    'steady-prometheus-',
  )
})

test.after(async () => {
  await prometheus?.stop()
  await pushgateway?.stop()
})

/** Three months of daily deployments (a failure every tenth), lead times of hours, a few incidents. */
function doraHistory(now: number): Observation[] {
  const day = 86_400_000
  const out: Observation[] = []
  for (let d = 90; d >= 1; d--) {
    const at = now - d * day + 3_600_000
    out.push({ process: 'dora', indicator: 'deployments', value: 1, at })
    out.push({ process: 'dora', indicator: 'lead_time', value: 4 + (d % 5), at })
    out.push({ process: 'dora', indicator: 'change_failure_rate', value: d % 10 === 0 ? 1 : 0, at })
    if (d % 10 === 0)
      out.push({ process: 'dora', indicator: 'time_to_restore', value: 2 + (d % 3), at: at + 2 * 3_600_000 })
  }
  return out
}

async function query(expr: string): Promise<{ status: string; error?: string; data?: { result: unknown[] } }> {
  const url = new URL('/api/v1/query', prometheus!.url)
  url.searchParams.set('query', expr)
  return (await (await fetch(url)).json()) as { status: string; error?: string; data?: { result: unknown[] } }
}

/** A target's expression as Grafana sends it: the process variable as its "All" value, globals filled in. */
function substitute(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (_, name: string) =>
    name === 'process' ? '.*' : (globals[name] ?? `$${name}`),
  )
}

define(
  'every query is valid PromQL on a real Prometheus fed through the Pushgateway; the main panels show data',
  async () => {
    const now = Date.now()
    const ci = ciProcess({ owner: 'platform' })
    const dora = doraProcess({ owner: 'delivery' })
    const metrics = new HealthMetrics({ processes: [ci, dora] })
    const history = ciHistory({ now, seed: 11 })
    metrics.observe(history.slice(-30))
    metrics.setHealth([judgeProcess(ci, history, { now }), judgeProcess(dora, doraHistory(now), { now })])
    await pushMetrics(metrics.registry, { url: pushgateway!.url, jobName: 'steady_health', method: 'push' })
    await pushObservation(
      { process: 'ci', indicator: 'cycle_time', value: 600, at: now, labels: { branch: 'feature/x' } },
      { url: pushgateway!.url, processes: [ci, dora] },
    )
    await poll(
      async () => ((await query('steady_process_indicator_tier == 1')).data?.result.length ? true : undefined),
      30_000,
      'Prometheus to scrape the Pushgateway',
    )
    await poll(
      async () => ((await query('steady_process_observation_seconds')).data?.result.length ? true : undefined),
      30_000,
      'the pushed observation',
    )

    const labels = new URL('/api/v1/label/process/values', prometheus!.url)
    labels.searchParams.set('match[]', 'steady_process_health_state')
    const values = (await (await fetch(labels)).json()) as { data: string[] }
    assert.equal(values.data.sort(), ['ci', 'dora'], 'the $process variable (label_values) lists both processes')

    let checked = 0
    for (const panel of queryPanels) {
      let rows = 0
      for (const target of panel.targets!) {
        const expr = substitute(target.expr)
        const body = await query(expr)
        assert.is(body.status, 'success', `${panel.title} ${target.refId}: ${expr}: ${body.error}`)
        rows += body.data!.result.length
        checked++
      }
      if (mainPanels.includes(panel.title)) assert.ok(rows > 0, `${panel.title} shows data`)
    }
    assert.ok(checked >= 12, `${checked} queries checked`)
    // The state panels map 0/1/2 to healthy/unknown/degraded: one value per process.
    const state = await query(substitute(queryPanels.find((p) => p.title === 'Process health now')!.targets![0].expr))
    assert.is(state.data!.result.length, 2)
    const tiers = (await query('max by (indicator, tier) (steady_process_indicator_tier == 1)')).data!.result as Array<{
      metric: Record<string, string>
    }>
    assert.equal(tiers.map((t) => t.metric.indicator).sort(), [
      'change_failure_rate',
      'deployments',
      'lead_time',
      'time_to_restore',
    ])
  },
)

test.run()
