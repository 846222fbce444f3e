/**
 * CI history from the JSON the CI systems' APIs return, saved to a file:
 * GitHub Actions' `GET /repos/{owner}/{repo}/actions/runs` (`workflow_runs[]`)
 * and GitLab's `GET /projects/:id/pipelines` (a list; the single-pipeline
 * fields `started_at`, `finished_at`, `queued_duration` are used when present).
 * Each run becomes the `ci` process's observations, with ids derived from the
 * run, so importing the same file twice adds nothing.
 */
import { findProcess } from '../define.ts'
import { boundedBranch } from '../export/labels.ts'
import { ProcessHealthError } from '../errors.ts'
import type { RecordedObservation } from '../store/types.ts'
import { systemClock, type Clock } from '../time.ts'
import type { Labels, ProcessDefinition } from '../types.ts'
import { createRecord } from './batch.ts'

/** What an import found besides the observations. */
export interface ImportResult {
  /** The observations, each with a source-derived id. */
  observations: RecordedObservation[]
  /** Runs or releases read. */
  read: number
  /** Why some were left out, with how many (`12 runs not completed`). */
  skipped: string[]
}

/** Options of the CI importers. */
export interface CiImportOptions {
  /** The process observations go to. Default `ci`. */
  process?: string
  /** Labels every observation gets (`service=checkout`). */
  labels?: Labels
  /** For relative times and the future check. */
  clock?: Clock
}

type Json = Record<string, unknown>

/** A field reader that names the file and the field path in its errors. */
function reader(file: string, format: string) {
  const bad = (path: string, expected: string, got: unknown) =>
    new ProcessHealthError(
      'STEADY_HEALTH_IMPORT_INVALID',
      `${file}: ${path}: expected ${expected}, got ${JSON.stringify(got)?.slice(0, 80)}`,
      {
        hint: `save the ${format} response as it is (see docs/process-health.md, "Importing history")`,
        details: { file, field: path },
      },
    )
  return {
    bad,
    time(o: Json, path: string, key: string, optional = false): number | undefined {
      const v = o[key]
      if ((v === null || v === undefined) && optional) return undefined
      const t = typeof v === 'string' ? Date.parse(v) : Number.NaN
      if (!Number.isFinite(t)) throw bad(`${path}.${key}`, 'an ISO 8601 time', v)
      return t
    },
    text(o: Json, path: string, key: string, optional = false): string | undefined {
      const v = o[key]
      if ((v === null || v === undefined) && optional) return undefined
      if (typeof v !== 'string') throw bad(`${path}.${key}`, 'a string', v)
      return v
    },
    id(o: Json, path: string, key: string): string {
      const v = o[key]
      if (typeof v !== 'number' && typeof v !== 'string') throw bad(`${path}.${key}`, 'a number', v)
      return String(v)
    },
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ProcessHealthError('STEADY_HEALTH_IMPORT_INVALID', `${file}: not JSON (${(error as Error).message})`, {
      hint: 'save the API response body as it is, e.g. gh api repos/OWNER/REPO/actions/runs > runs.json',
      details: { file },
    })
  }
}

/**
 * The labels of an imported observation: the user's (`--label`) as given, and
 * the ones read from the source (branch, workflow) only when the indicator
 * declares them; the others go to its fields, so a process declared with
 * other label names still imports.
 */
function fitLabels(
  process: ProcessDefinition,
  indicator: string,
  user: Labels,
  derived: Labels,
): { labels: Labels; fields: Record<string, string> } {
  const declared = process.indicators.find((i) => i.name === indicator)?.labels
  const labels: Labels = { ...user }
  const fields: Record<string, string> = {}
  for (const [k, v] of Object.entries(derived)) {
    if (!declared || declared.includes(k)) labels[k] = v
    else fields[k] = v
  }
  return { labels, fields }
}

function count(skipped: Map<string, number>): string[] {
  return [...skipped].map(([why, n]) => `${n} ${why}`)
}

/** Seconds between two instants, or undefined when either is missing or they are out of order. */
function seconds(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined || to < from ? undefined : (to - from) / 1000
}

/** GitHub Actions conclusions that count as a failed run; `success` counts as passed, others are left out. */
const githubFailed = new Set(['failure', 'timed_out', 'startup_failure'])

/**
 * Imports GitHub Actions workflow runs (`{ "workflow_runs": [...] }`, or an
 * array of such pages as `gh api --paginate --slurp` writes). Rules: only
 * `status: completed` runs; `conclusion` success is a pass and failure,
 * timed_out, startup_failure a failure (success_rate), other conclusions
 * (cancelled, skipped, neutral, action_required, stale) are left out;
 * cycle_time is `updated_at − created_at` and queue_time
 * `run_started_at − created_at`, for first attempts only (a re-run keeps the
 * first attempt's `created_at`); every observation is at `updated_at`.
 * Labels: `branch` (bounded: main, release/*, other) and `workflow` (the
 * run's name); fields: run_id, attempt, commit, branch_name.
 */
export function importGithubRuns(
  text: string,
  file: string,
  processes: readonly ProcessDefinition[],
  options: CiImportOptions = {},
): ImportResult {
  const r = reader(file, 'GitHub Actions GET /repos/{owner}/{repo}/actions/runs')
  const body = parseJson(text, file)
  const pages = Array.isArray(body) ? body : [body]
  const process = findProcess(processes, options.process ?? 'ci')
  const skipped = new Map<string, number>()
  const out: RecordedObservation[] = []
  let read = 0
  pages.forEach((page, p) => {
    const where = Array.isArray(body) ? `[${p}].workflow_runs` : 'workflow_runs'
    const runs = (page as Json | null)?.workflow_runs
    if (!Array.isArray(runs)) throw r.bad(where, 'an array of workflow runs', runs)
    runs.forEach((raw: unknown, i) => {
      const path = `${where}[${i}]`
      if (typeof raw !== 'object' || raw === null) throw r.bad(path, 'a workflow run object', raw)
      const run = raw as Json
      read++
      const id = r.id(run, path, 'id')
      const status = r.text(run, path, 'status')
      const conclusion = r.text(run, path, 'conclusion', true)
      const created = r.time(run, path, 'created_at')!
      const started = r.time(run, path, 'run_started_at', true)
      const updated = r.time(run, path, 'updated_at')!
      const branch = r.text(run, path, 'head_branch', true)
      const sha = r.text(run, path, 'head_sha', true)
      const name = r.text(run, path, 'name', true)
      const attempt = typeof run.run_attempt === 'number' ? run.run_attempt : 1
      if (status !== 'completed')
        return void skipped.set('runs not completed', (skipped.get('runs not completed') ?? 0) + 1)
      const passed = conclusion === 'success' ? 1 : githubFailed.has(conclusion ?? '') ? 0 : undefined
      if (passed === undefined) {
        const why = `runs ${conclusion ?? 'without a conclusion'} (neither passed nor failed)`
        return void skipped.set(why, (skipped.get(why) ?? 0) + 1)
      }
      const derived: Labels = {}
      if (branch) derived.branch = boundedBranch(branch)
      if (name) derived.workflow = name
      const fields = {
        run_id: id,
        attempt,
        ...(sha ? { commit: sha } : {}),
        ...(branch ? { branch_name: branch } : {}),
      }
      const add = (indicator: string, value: number | undefined) => {
        if (value === undefined) return
        const fit = fitLabels(process, indicator, options.labels ?? {}, derived)
        const input = {
          process: process.name,
          indicator,
          value,
          at: updated,
          labels: fit.labels,
          fields: { ...fit.fields, ...fields },
          id: `github:run:${id}:${attempt}:${indicator}`,
        }
        out.push(createRecord(process, input, options.clock ?? systemClock, () => input.id))
      }
      add('success_rate', passed)
      if (attempt <= 1) {
        add('cycle_time', seconds(created, updated))
        add('queue_time', seconds(created, started))
      }
    })
  })
  return { observations: out, read, skipped: count(skipped) }
}

/**
 * Imports GitLab pipelines (the list `GET /projects/:id/pipelines` returns, or
 * single pipelines `GET /projects/:id/pipelines/:pipeline_id`, alone or in an
 * array). Rules: `status` success is a pass and failed a failure; other
 * statuses (running, canceled, skipped, manual, ...) are left out;
 * cycle_time is `finished_at − created_at` (the list format has no
 * `finished_at`: then `updated_at − created_at`), queue_time
 * `queued_duration`, else `started_at − created_at`, when present; every
 * observation is at `finished_at` (else `updated_at`). Labels: `branch` from
 * `ref` (bounded); fields: pipeline_id, commit, ref.
 */
export function importGitlabPipelines(
  text: string,
  file: string,
  processes: readonly ProcessDefinition[],
  options: CiImportOptions = {},
): ImportResult {
  const r = reader(file, 'GitLab GET /projects/:id/pipelines')
  const body = parseJson(text, file)
  const list = Array.isArray(body) ? body : [body]
  const process = findProcess(processes, options.process ?? 'ci')
  const skipped = new Map<string, number>()
  const out: RecordedObservation[] = []
  list.forEach((raw: unknown, i) => {
    const path = Array.isArray(body) ? `[${i}]` : '(pipeline)'
    if (typeof raw !== 'object' || raw === null) throw r.bad(path, 'a pipeline object', raw)
    const pipeline = raw as Json
    const id = r.id(pipeline, path, 'id')
    const project = pipeline.project_id === undefined ? '' : `${r.id(pipeline, path, 'project_id')}:`
    const status = r.text(pipeline, path, 'status')
    const ref = r.text(pipeline, path, 'ref', true)
    const sha = r.text(pipeline, path, 'sha', true)
    const created = r.time(pipeline, path, 'created_at')!
    const updated = r.time(pipeline, path, 'updated_at')!
    const started = r.time(pipeline, path, 'started_at', true)
    const finished = r.time(pipeline, path, 'finished_at', true)
    const queued = pipeline.queued_duration
    if (queued !== undefined && queued !== null && !(typeof queued === 'number' && queued >= 0))
      throw r.bad(`${path}.queued_duration`, 'seconds (a number ≥ 0)', queued)
    const passed = status === 'success' ? 1 : status === 'failed' ? 0 : undefined
    if (passed === undefined) {
      const why = `pipelines ${status} (neither passed nor failed)`
      return void skipped.set(why, (skipped.get(why) ?? 0) + 1)
    }
    const end = finished ?? updated
    const derived: Labels = ref ? { branch: boundedBranch(ref) } : {}
    const fields = { pipeline_id: id, ...(sha ? { commit: sha } : {}), ...(ref ? { ref } : {}) }
    const add = (indicator: string, value: number | undefined) => {
      if (value === undefined) return
      const fit = fitLabels(process, indicator, options.labels ?? {}, derived)
      const input = {
        process: process.name,
        indicator,
        value,
        at: end,
        labels: fit.labels,
        fields: { ...fit.fields, ...fields },
        id: `gitlab:pipeline:${project}${id}:${indicator}`,
      }
      out.push(createRecord(process, input, options.clock ?? systemClock, () => input.id))
    }
    add('success_rate', passed)
    add('cycle_time', seconds(created, end))
    add('queue_time', typeof queued === 'number' ? queued : seconds(created, started))
  })
  return { observations: out, read: list.length, skipped: count(skipped) }
}
