/**
 * The charts' data: what the page's script hands to uPlot, built on the
 * server so the page itself only draws. Long runs are thinned to at most
 * {@link MAX_POINTS} points per line (a latency point then shows the highest
 * window it covers, so a spike stays visible).
 */
import type { RunRecord, SeriesRecord } from '@steady/record'
import type { DisplayUnit } from './format.ts'
import {
  errorsOf,
  indicatorValue,
  perWindow,
  sumPerWindow,
  windowCount,
  type ClassifiedSeries,
  type Indicator,
  type StepSeries,
} from './series.ts'
import { fold, sig, theilSen, type FittedLine, type Reduce } from './stats.ts'

/** At most this many points per line; longer runs fold neighbouring windows. */
export const MAX_POINTS = 720

/** One line (or set of points) of a chart. */
export interface ChartLine {
  label: string
  values: (number | null)[]
  color: string
  width?: number
  dash?: number[]
  /** `only`: points without a line (scatter); `show`: line with points. */
  points?: 'only' | 'show'
  /** `y2`: the chart's second axis. */
  scale?: 'y' | 'y2'
  /** Hidden from the legend (the second half of a band, a continuation). */
  noLegend?: boolean
  /** Points drawn as rings (the baseline runs beside this run's dots). */
  hollow?: boolean
  /** Drawn as steps (target rates that change per phase). */
  stepped?: boolean
  /** A band's edge: not stroked, filled towards its partner by the chart's `bands`. */
  bandEdge?: boolean
}

/** What the page's script draws with uPlot. */
export interface ChartSpec {
  id: string
  /** `time`: x is seconds since the run started; `rate`: x is the achieved load (it/s). */
  xKind: 'time' | 'rate'
  x: number[]
  y: { unit: DisplayUnit; label: string; min?: number; max?: number }
  y2?: { unit: DisplayUnit; label: string; min?: number; max?: number }
  lines: ChartLine[]
  /** Filled areas between two lines (indices into `lines`, upper first). */
  bands?: { upper: number; lower: number; fill: string }[]
  /** Shade the run's phases behind the data. */
  phases: boolean
  /** Vertical markers (restarts, crashes) at seconds since the start. */
  markers?: { x: number; label: string }[]
}

/** A chart with what the server writes around it. */
export interface Figure {
  spec: ChartSpec
  title: string
  /** What the chart shows and how to read it (one or two sentences). */
  caption: string
  /** Per-phase fitted slopes, for indicator charts. */
  slopes?: { phase: string; perHour: number; from: number; to: number; source: 'verdict' | 'report'; spanMs: number }[]
  unit: DisplayUnit
}

/** Baseline bands per series key and phase: the range the baseline runs' values span. */
export type BandsBySeries = Map<string, Record<string, { lo: number; hi: number }>>

/** A baseline run's phase for the latency-under-load chart: the series, its achieved rate and p95 (ms). */
export interface BaselineLoadPoint {
  key: string
  run: string
  phase: string
  rate: number
  p95: number
}

export interface ChartInputs {
  record: RunRecord
  classified: ClassifiedSeries
  /** p95 bands from the baseline, by step series key. */
  bands?: BandsBySeries
  /** Some bands are the verdict's prediction intervals (the caption says so). */
  bandsFromVerdict?: boolean
  /** Fitted lines from the verdict, by series key (they replace the report's own). */
  lines?: Map<string, FittedLine[]>
  /** Baseline runs' (rate, p95) points for the load chart. */
  baselineLoad?: BaselineLoadPoint[]
}

export const COLORS = {
  p50: '#7fb3e0',
  p95: '#1f5fa8',
  p99: '#d98cbf',
  band: 'rgba(26, 152, 80, 0.22)',
  bandEdge: 'rgba(26, 152, 80, 0.55)',
  fit: '#d95f02',
  value: '#1f5fa8',
  min: '#66a61e',
  throughput: '#1f5fa8',
  target: '#555555',
  errors: '#d62728',
  probeFailed: '#9e0142',
  dropped: '#ff7f0e',
  elu: '#1f5fa8',
  lag: '#e7298a',
  late: '#d95f02',
  /** A paired run's control side: muted, so the candidate in colour reads first. */
  control: '#9a9a9a',
  sideRatio: '#7b3294',
  palette: ['#1f5fa8', '#d95f02', '#1a9850', '#7b3294', '#e7298a', '#a6761d', '#666666', '#17becf'],
}

/** The right axis of a paired chart: the candidate's value divided by the control's, 1 when they are the same. */
const RATIO_AXIS = { unit: 'count', label: 'candidate ÷ control', min: 0 } as const

/** The candidate's points divided by the control's, window by window (none where either is missing or zero). */
function ratioLine(what: string, candidate: (number | null)[], control: (number | null)[]): ChartLine {
  const values = candidate.map((c, i) => {
    const k = control[i]
    return c === null || k === null || k === undefined || k === 0 ? null : sig(c / k, 3)
  })
  const label = `candidate ÷ control ${what} (right axis)`
  return { label, values, color: COLORS.sideRatio, width: 1, dash: [2, 2], scale: 'y2' }
}

/** Builds every chart of the report, grouped by section. */
export function buildCharts(input: ChartInputs): {
  latency: Figure[]
  /** Per scenario: one chart of every step's p95, and the steps' own charts (the same figures as `latency`). */
  scenarios: { scenario: string; overview: Figure; steps: Figure[] }[]
  /** Service indicators that did not change during the run: named, not drawn. */
  flat: { label: string; value: number; unit: DisplayUnit }[]
  load: Figure[]
  underLoad: Figure[]
  service: Figure[]
  generator: Figure[]
} {
  const { record } = input
  const n = windowCount(record)
  const factor = Math.max(1, Math.ceil(n / MAX_POINTS))
  const windowSec = record.window.sizeMs / 1000
  const xTime = fold(
    Array.from({ length: n }, (_, i) => (i + 0.5) * windowSec),
    factor,
    'mean',
  ).map((v) => sig(v, 6) ?? 0)
  const f = (values: (number | null)[], how: Reduce, digits = 4) => fold(values, factor, how).map((v) => sig(v, digits))
  const markers = record.events
    .filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash')
    .map((e) => ({ x: sig(e.atMs / 1000, 6) ?? 0, label: e.kind === 'service-crash' ? 'service crashed' : 'service restarted' }))
  const folded = factor > 1 ? ` Each point covers ${factor} windows of ${windowSec}s (the highest latency of them is shown).` : ''
  let seq = 0
  const id = (prefix: string) => `${prefix}-${++seq}`

  const latency = input.classified.steps.map((step) => latencyFigure(step))
  function latencyFigure(step: StepSeries): Figure {
    const s = step.series
    const lines: ChartLine[] = []
    const bands: ChartSpec['bands'] = []
    const band = input.bands?.get(s.key)
    if (band) {
      const hi = new Array<number | null>(n).fill(null)
      const lo = new Array<number | null>(n).fill(null)
      for (const p of record.phases) {
        const b = band[p.name]
        if (!b) continue
        const from = Math.floor(p.startMs / record.window.sizeMs)
        const to = Math.min(n, Math.ceil(p.endMs / record.window.sizeMs))
        for (let i = from; i < to; i++) {
          hi[i] = b.hi
          lo[i] = b.lo
        }
      }
      lines.push({ label: 'expected p95 (baseline)', values: f(hi, 'max'), color: COLORS.bandEdge, bandEdge: true })
      lines.push({ label: 'baseline p95 low', values: f(lo, 'min'), color: COLORS.bandEdge, bandEdge: true, noLegend: true })
      bands.push({ upper: 0, lower: 1, fill: COLORS.band })
    }
    const control = step.control?.series
    // The control first (under the candidate), muted; p99 before the p95 the gate judges, so it lies under it.
    const side = control ? 'candidate ' : ''
    const p95 = f(perWindow(s, n, (w) => w.p95), 'max')
    if (control) {
      const p50 = f(perWindow(control, n, (w) => w.p50), 'max')
      lines.push({ label: 'control p50', values: p50, color: COLORS.control, width: 1, dash: [4, 3] })
      lines.push({ label: 'control p95', values: f(perWindow(control, n, (w) => w.p95), 'max'), color: COLORS.control, width: 2 })
    }
    lines.push({ label: `${side}p99`, values: f(perWindow(s, n, (w) => w.p99), 'max'), color: COLORS.p99, width: 1 })
    lines.push({ label: `${side}p50`, values: f(perWindow(s, n, (w) => w.p50), 'max'), color: COLORS.p50, width: 1.5 })
    lines.push({ label: `${side}p95`, values: p95, color: COLORS.p95, width: 2 })
    if (control) lines.push(ratioLine('p95', p95, f(perWindow(control, n, (w) => w.p95), 'max')))
    const title = step.scenario ? `${step.scenario} › ${step.step}` : step.step
    return {
      title,
      unit: 'ms',
      caption: control
        ? `Latency of the step on both sides of the paired run, per window of ${windowSec}s ` +
          '(failed requests left out): the control in grey, the candidate in colour, and the candidate’s p95 ' +
          'divided by the control’s in the same window (right axis; 1 = as fast). What the machine did to both ' +
          `sides cancels in the ratio.${folded}`
        : `Latency of the step as the probe loop measured it, per window of ${windowSec}s (failed requests are left out).` +
        (band
          ? input.bandsFromVerdict
            ? ' The green band is where the p95 was expected in each phase: the verdict’s prediction interval where it judged the step, else the range of the baseline runs’ p95.'
            : ' The green band is the range of the baseline runs’ p95 in each phase.'
          : ' No baseline was given, so there is no band to compare with.') +
        folded,
      spec: {
        id: id('latency'),
        xKind: 'time',
        x: xTime,
        y: { unit: 'ms', label: 'latency', min: 0 },
        ...(control ? { y2: RATIO_AXIS } : {}),
        lines,
        bands,
        phases: true,
        markers,
      },
    }
  }

  // Load: achieved rate against target, then errors and dropped iterations.
  const load: Figure[] = []
  const loadIterations = input.classified.load.filter((s) => s.name === 'iterations' && s.kind === 'counter')
  const loadRequests = input.classified.load.filter((s) => s.name === 'http_reqs' && s.kind === 'counter')
  const loadDurations = input.classified.load.filter((s) => s.name === 'http_req_duration' && s.kind === 'histogram')
  const dropped = input.classified.load.filter((s) => s.name === 'dropped_iterations')
  const rate = (list: SeriesRecord[]) => sumPerWindow(list, n, (w) => w.delta ?? w.count).map((v) => (v === null ? null : v / windowSec))
  const achieved = loadIterations.length ? rate(loadIterations) : loadRequests.length ? rate(loadRequests) : undefined
  const requests = loadRequests.length ? rate(loadRequests) : loadDurations.length ? sumPerWindow(loadDurations, n, (w) => w.count).map((v) => (v ?? 0) / windowSec) : undefined
  const probeRate = sumPerWindow([...input.classified.outcomes.values()], n, (w) => w.count).map((v) => (v ?? 0) / windowSec)
  if (achieved || requests) {
    const target = new Array<number | null>(n).fill(null)
    for (const p of record.phases) {
      const from = Math.floor(p.startMs / record.window.sizeMs)
      const to = Math.min(n, Math.ceil(p.endMs / record.window.sizeMs))
      for (let i = from; i < to; i++) target[i] = p.load?.targetRate ?? 0
    }
    const lines: ChartLine[] = []
    if (achieved) lines.push({ label: loadIterations.length ? 'load iterations/s achieved' : 'load requests/s', values: f(achieved, 'mean'), color: COLORS.throughput, width: 2 })
    // An iteration may make many requests: requests get their own axis so iterations and the target stay readable.
    const requestsAxis = Boolean(requests && loadIterations.length)
    if (requestsAxis) lines.push({ label: 'load requests/s (right axis)', values: f(requests!, 'mean'), color: COLORS.palette[2], width: 1, scale: 'y2' })
    if (record.phases.some((p) => p.load?.targetRate !== undefined)) lines.push({ label: 'target rate', values: f(target, 'mean'), color: COLORS.target, dash: [6, 4], width: 1.5, stepped: true })
    lines.push({ label: 'probe iterations/s', values: f(probeRate, 'mean'), color: COLORS.palette[3], width: 1 })
    load.push({
      title: 'Throughput: load applied and probe iterations',
      unit: 'rate',
      caption: `The load the generator achieved against the plan’s target rate, and the probe loop’s own iterations, per second.${factor > 1 ? ` Each point averages ${factor} windows.` : ''}`,
      spec: {
        id: id('load'),
        xKind: 'time',
        x: xTime,
        y: { unit: 'rate', label: 'iterations per second', min: 0 },
        ...(requestsAxis ? { y2: { unit: 'rate' as const, label: 'requests per second', min: 0 } } : {}),
        lines,
        phases: true,
        markers,
      },
    })
  }
  const errorSource = loadRequests.length ? loadRequests : loadDurations
  const loadErrors = sumPerWindow(errorSource, n, (w) => errorsOf(w.errors)).map((v) => (v ?? 0) / windowSec)
  const probeFailed = sumPerWindow([...input.classified.outcomes.values()], n, (w) => w.failed ?? 0).map((v) => (v ?? 0) / windowSec)
  const droppedRate = sumPerWindow(dropped, n, (w) => w.delta ?? w.count).map((v) => (v ?? 0) / windowSec)
  {
    const lines: ChartLine[] = [{ label: 'probe iterations failed/s', values: f(probeFailed, 'mean'), color: COLORS.probeFailed, width: 2 }]
    if (errorSource.length) lines.push({ label: 'load requests failed/s', values: f(loadErrors, 'mean'), color: COLORS.errors, width: 1.5 })
    if (dropped.length) lines.push({ label: 'dropped iterations/s', values: f(droppedRate, 'mean'), color: COLORS.dropped, width: 1.5, dash: [5, 3] })
    load.push({
      title: 'Errors and dropped iterations',
      unit: 'rate',
      caption:
        'Failed probe iterations, failed load requests (no response or an error status), and iterations the load generator had to drop because it could not start them in time — a version that cannot keep up drops work instead of showing latency.',
      spec: { id: id('errors'), xKind: 'time', x: xTime, y: { unit: 'rate', label: 'per second', min: 0 }, lines, phases: true, markers },
    })
  }

  // Latency against the achieved load, now (per window) and the baseline runs (per phase).
  const underLoad: Figure[] = []
  const loadX = achieved ?? requests
  if (loadX) {
    const flows = input.classified.iterationDurations.size
      ? [...input.classified.iterationDurations.entries()].map(([scenario, s]) => ({ label: scenario || s.name, s }))
      : input.classified.steps.map((st) => ({ label: `${st.scenario} › ${st.step}`, s: st.series }))
    const points: { x: number; y: number; k: number }[] = []
    flows.forEach((fl, k) => {
      for (const w of fl.s.windows) {
        const x = loadX[w.i]
        if (w.p95 !== undefined && x !== null && x !== undefined) points.push({ x, y: w.p95, k })
      }
    })
    // Baseline runs: one ring per run and phase, in the colour of the flow it belongs to.
    const base = input.baselineLoad ?? []
    let withBase = 0
    flows.forEach((fl, k) => {
      const mine = base.filter((b) => b.key === fl.s.key)
      if (mine.length) withBase++
      for (const b of mine) points.push({ x: b.rate, y: b.p95, k: flows.length + k })
    })
    points.sort((a, b) => a.x - b.x)
    // Thin evenly if there are very many windows: the cloud's shape is what matters.
    const stride = Math.max(1, Math.ceil(points.length / (MAX_POINTS * 3)))
    const kept = points.filter((p, i) => i % stride === 0 || p.k >= flows.length)
    const x = kept.map((p) => sig(p.x, 4) ?? 0)
    const lines: ChartLine[] = []
    flows.forEach((fl, k) => {
      const color = COLORS.palette[k % COLORS.palette.length]
      lines.push({ label: `${fl.label} p95 (now)`, values: kept.map((p) => (p.k === k ? sig(p.y, 4) : null)), color, points: 'only' })
      if (kept.some((p) => p.k === flows.length + k)) {
        lines.push({ label: `${fl.label} p95 (baseline runs)`, values: kept.map((p) => (p.k === flows.length + k ? sig(p.y, 4) : null)), color, points: 'only', hollow: true })
      }
    })
    if (x.length) {
      underLoad.push({
        title: 'Latency against achieved load',
        unit: 'ms',
        caption:
          `Each dot is one window: the load achieved in it (x) and the p95 of ${input.classified.iterationDurations.size ? 'each scenario’s iterations' : 'each step'} in it (y). A version that degrades under load climbs more steeply to the right.` +
          (withBase ? ' Rings are the baseline runs, one per run and phase, at the rate they achieved.' : ' No baseline was given, so only this run is shown.'),
        spec: { id: id('underload'), xKind: 'rate', x, y: { unit: 'ms', label: 'p95', min: 0 }, lines, phases: false },
      })
    }
  }

  // Per scenario, an overview: the p95 of each of its steps in one chart.
  const scenarios: { scenario: string; overview: Figure; steps: Figure[] }[] = []
  input.classified.steps.forEach((step, i) => {
    let group = scenarios.find((g) => g.scenario === step.scenario)
    if (!group) {
      group = { scenario: step.scenario, overview: undefined as unknown as Figure, steps: [] }
      scenarios.push(group)
    }
    group.steps.push(latency[i])
  })
  for (const group of scenarios) {
    const steps = input.classified.steps.filter((st) => st.scenario === group.scenario)
    group.overview = {
      title: 'p95 of each step',
      unit: 'ms',
      caption: `The p95 latency of every step of the scenario, per window of ${windowSec}s, on one scale: the step that dominates the flow stands out.${folded}`,
      spec: {
        id: id('scenario'),
        xKind: 'time',
        x: xTime,
        y: { unit: 'ms', label: 'p95', min: 0 },
        lines: steps.map((st, k) => ({ label: st.step, values: f(perWindow(st.series, n, (w) => w.p95), 'max'), color: COLORS.palette[k % COLORS.palette.length], width: 1.5 })),
        phases: true,
        markers,
      },
    }
  }

  // Indicators that never changed are named, not drawn: a flat line says nothing a number does not.
  const flat: { label: string; value: number; unit: DisplayUnit }[] = []
  const changing = input.classified.indicators.filter((ind) => {
    const values = perWindow(ind.series, n, (w) => indicatorValue(ind, w, windowSec)).filter((v): v is number => v !== null)
    const still = values.length > 0 && values.every((v) => v === values[0])
    if (still) flat.push({ label: ind.label, value: values[0], unit: ind.unit })
    return !still
  })
  const service = changing.map((ind) => indicatorFigure(ind, 'service'))
  function indicatorFigure(ind: Indicator, kind: 'service' | 'generator'): Figure {
    const s = ind.series
    const values = perWindow(s, n, (w) => indicatorValue(ind, w, windowSec))
    const lines: ChartLine[] = []
    const how: Reduce = ind.how === 'buckets' ? 'max' : ind.how === 'rate' ? 'mean' : 'last'
    const minOf = (x: SeriesRecord) =>
      perWindow(x, n, (w) => ((w.min ?? w.value) === undefined ? undefined : (w.min ?? w.value)! * ind.factor))
    const control = ind.control
    const side = control ? 'candidate ' : ''
    const what = ind.how === 'buckets' ? 'p95 (from buckets)' : ind.useMin ? 'sampled' : 'value'
    // The control first (under the candidate), muted; the ratio compares what a leak is judged by (the minimum).
    const shownOf = (x: SeriesRecord) => (ind.useMin ? minOf(x) : perWindow(x, n, (w) => indicatorValue(ind, w, windowSec)))
    const controlShown = control ? f(shownOf(control), ind.useMin ? 'min' : how) : []
    if (control) {
      const label = ind.useMin ? 'control window minimum (after GC)' : `control ${what}`
      lines.push({ label, values: controlShown, color: COLORS.control, width: 1.5 })
    }
    lines.push({ label: `${side}${what}`, values: f(values, how), color: COLORS.value, width: 1.5 })
    let fitOn = values
    if (ind.useMin) {
      const mins = minOf(s)
      lines.push({ label: `${side}window minimum (after GC)`, values: f(mins, 'min'), color: COLORS.min, width: 1.5 })
      fitOn = mins
    }
    if (control) {
      const measure = ind.useMin ? 'minimum' : ind.how === 'buckets' ? 'p95' : 'value'
      lines.push(ratioLine(measure, f(fitOn, ind.useMin ? 'min' : how), controlShown))
    }
    const slopes: NonNullable<Figure['slopes']> = []
    const fit = new Array<number | null>(n).fill(null)
    const given = input.lines?.get(s.key)
    const ms = record.window.sizeMs
    if (given?.length) {
      for (const line of given) {
        const from = Math.floor(line.fromMs / ms)
        const to = Math.min(n, Math.ceil(line.toMs / ms))
        for (let i = from; i < to; i++) fit[i] = (line.atFrom + line.slopePerMs * ((i + 0.5) * ms - line.fromMs)) * ind.factor
        const phase = record.phases.find((p) => line.fromMs >= p.startMs && line.fromMs < p.endMs)?.name ?? ''
        slopes.push({ phase, perHour: line.slopePerMs * 3_600_000 * ind.factor, from: line.atFrom * ind.factor, to: (line.atFrom + line.slopePerMs * (line.toMs - line.fromMs)) * ind.factor, source: 'verdict', spanMs: line.toMs - line.fromMs })
      }
    } else if (kind === 'service' && ind.how === 'gauge') {
      // Fit within each phase, and apart on either side of a restart (a restarted process starts afresh).
      const cuts = record.events.filter((e) => e.kind === 'service-restart' || e.kind === 'service-crash').map((e) => e.atMs)
      const segments: { name: string; startMs: number; endMs: number }[] = []
      for (const p of record.phases) {
        let start = p.startMs
        const inside = cuts.filter((c) => c > p.startMs && c < p.endMs).sort((a, b) => a - b)
        inside.forEach((c, k) => {
          segments.push({ name: k === 0 ? `${p.name} (before the restart)` : `${p.name} (between restarts)`, startMs: start, endMs: c })
          start = c
        })
        segments.push({ name: inside.length ? `${p.name} (after the restart)` : p.name, startMs: start, endMs: p.endMs })
      }
      for (const p of segments) {
        const from = Math.floor(p.startMs / ms)
        const to = Math.min(n, Math.ceil(p.endMs / ms))
        // Skip the first tenth of each phase: growth while a phase settles is not drift.
        const skip = Math.max(1, Math.floor((to - from) / 10))
        const xs: number[] = []
        const ys: number[] = []
        for (let i = from + skip; i < to; i++) {
          const v = fitOn[i]
          if (v !== null) {
            xs.push((i + 0.5) * ms)
            ys.push(v)
          }
        }
        const line = theilSen(xs, ys)
        if (!line || xs.length < 5) continue
        for (let i = from + skip; i < to; i++) fit[i] = line.intercept + line.slope * (i + 0.5) * ms
        slopes.push({
          phase: p.name,
          perHour: line.slope * 3_600_000,
          from: line.intercept + line.slope * xs[0],
          to: line.intercept + line.slope * xs[xs.length - 1],
          source: 'report',
          spanMs: xs[xs.length - 1] - xs[0],
        })
      }
    }
    if (slopes.length) lines.push({ label: slopes[0].source === 'verdict' ? 'fitted slope per phase (verdict)' : 'trend per phase (Theil–Sen)', values: f(fit, 'mean'), color: COLORS.fit, width: 2, dash: [6, 3] })
    const caption =
      kind === 'generator'
        ? 'The load generator’s own health. When its event loop is saturated, it starts work late and the service’s numbers in those windows are not to be trusted.'
        : ind.how === 'buckets'
          ? 'The p95 the service itself reports, estimated from its Prometheus histogram buckets per window (interpolated within a bucket, as PromQL does).'
          : ind.useMin
            ? 'Heap used, sampled, and the smallest sample of each window (the heap after garbage collection): a leak shows as a rising minimum. The dashed lines are a trend fitted within each phase, after its first tenth.'
            : ind.how === 'rate'
              ? 'The counter’s increase per second, per window.'
              : 'The value sampled from the service, last sample of each window. The dashed lines are a trend fitted within each phase, after its first tenth.'
    const sides = control
      ? ' Both sides of the paired run: the control in grey, the candidate in colour, and the candidate divided by ' +
        'the control in the same window (right axis; 1 = the same). The trend is fitted on the candidate.'
      : ''
    return {
      title: ind.label,
      unit: ind.unit,
      caption: caption + sides + (factor > 1 ? ` Each point covers ${factor} windows.` : ''),
      slopes,
      spec: {
        id: id(kind),
        xKind: 'time',
        x: xTime,
        y: { unit: ind.unit, label: ind.label, min: ind.unit === 'bytes' ? undefined : 0 },
        ...(control ? { y2: RATIO_AXIS } : {}),
        lines,
        phases: true,
        markers,
      },
    }
  }

  const generator: Figure[] = []
  if (input.classified.generator.length) {
    const lines: ChartLine[] = []
    const ratios = input.classified.generator.filter((g) => g.unit === 'ratio')
    const others = input.classified.generator.filter((g) => g.unit !== 'ratio')
    const useY2 = ratios.length > 0 && others.length > 0
    // Colours by meaning, so the same quantity looks the same in every report.
    const spare = [...COLORS.palette.slice(2)]
    const colorOf = (g: Indicator) =>
      /utili[sz]ation/.test(g.series.name) ? COLORS.elu : g.series.unit === 'bool' ? COLORS.errors : /lag/.test(g.series.name) ? COLORS.lag : /late/.test(g.series.name) ? COLORS.late : (spare.shift() ?? '#666666')
    for (const g of [...ratios, ...others]) {
      const values = perWindow(g.series, n, (w) => indicatorValue(g, w, windowSec))
      lines.push({
        label: g.short + (useY2 ? (g.unit === 'ratio' ? ' (left axis)' : ' (right axis)') : ''),
        values: f(values, 'max'),
        color: colorOf(g),
        width: 1.5,
        scale: useY2 && g.unit !== 'ratio' ? 'y2' : 'y',
        ...(g.series.unit === 'bool' ? { stepped: true, dash: [2, 2] } : {}),
      })
    }
    const first = ratios[0] ?? others[0]
    generator.push({
      title: 'Load generator saturation',
      unit: first.unit,
      caption:
        'The load generator’s own health per window (the highest sample of each): event-loop utilisation, event-loop lag, and how late iterations started. Near 100% utilisation or a rising lateness means the generator, not the service, was the limit: those windows do not count against the service.',
      spec: {
        id: id('generator'),
        xKind: 'time',
        x: xTime,
        y: ratios.length ? { unit: 'ratio', label: 'utilisation', min: 0, max: 1 } : { unit: first.unit, label: first.label, min: 0 },
        ...(useY2 ? { y2: { unit: others[0].unit, label: others[0].unit, min: 0 } } : {}),
        lines,
        phases: true,
        markers,
      },
    })
  }

  return { latency, scenarios, flat, load, underLoad, service, generator }
}
