/**
 * @steady/soak: repeat the E2E scenarios under load on a fresh environment,
 * phase by phase, while watching the service's own indicators; writes the run
 * record.
 */
export { parsePrometheusText } from './scrape/prometheus-text.ts'
export type { Sample, MetricType } from './scrape/prometheus-text.ts'
export { ServiceMetricsScraper, DEFAULT_SERVICE_SERIES } from './scrape/service-metrics.ts'
export type { ServiceScrapeOptions } from './scrape/service-metrics.ts'
export { ProcSampler, readProcStats } from './scrape/proc.ts'
export type { ProcStats, ProcSamplerOptions } from './scrape/proc.ts'
export { sampleInstant, queryRange, fillFromRange } from './scrape/prometheus-query.ts'
export type { PromQuery, RangeSeries, RangeFill } from './scrape/prometheus-query.ts'
export { resolvePlan, planHash } from './plan.ts'
export type { SoakPlan, SoakPhase, ScrapePlan, ProbePlan, ResolvedPlan, ResolvedPhase } from './plan.ts'
export { Progress, formatProgress } from './progress.ts'
export type { ProgressSnapshot, ProgressOptions } from './progress.ts'
export { LiveMetrics } from './live-metrics.ts'
export { soak } from './soak.ts'
export type { SoakOptions, SoakResult, SoakService, SoakControl, PreflightFailure } from './soak.ts'
export { abbaSlot, sideAggregator } from './paired.ts'
export type { PairedSlot } from './paired.ts'
