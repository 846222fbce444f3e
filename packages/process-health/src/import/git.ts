/**
 * Delivery history from a git repository, for the `dora` process. The rules
 * (stated in docs/process-health.md and `steady health import --help`):
 *
 * - A deployment is a version tag (default `v1.2.3`, `1.2`, no pre-release
 *   suffix), at the tag's date: the tagger date of an annotated tag, the
 *   commit date of a lightweight one.
 * - Lead time: for each commit on the first-parent line between the previous
 *   version tag and this one, tag date − commit date (committer date: when
 *   the change reached the main line). The first tag has no previous one, so
 *   its commits get no lead time; a commit already shipped by an earlier
 *   release (tags on a maintenance branch) is counted once, in that release.
 * - A failed change: a release that shipped a commit which a later
 *   `Revert "…"` commit reverts (found by "This reverts commit <sha>", else
 *   by the reverted subject). The release that ships the revert restores
 *   it: time to restore = its date − the failed release's date. A revert
 *   shipped in the same release as what it reverts is no failure (nothing
 *   bad was deployed).
 * - change_failure_rate: one observation per release, 1 when it failed, else 0.
 *
 * Ids come from tag names and commit SHAs, so importing twice adds nothing.
 */
import { spawnSync } from 'node:child_process'
import { findProcess } from '../define.ts'
import { ProcessHealthError } from '../errors.ts'
import type { RecordedObservation } from '../store/types.ts'
import { systemClock, type Clock } from '../time.ts'
import type { Labels, ProcessDefinition } from '../types.ts'
import { createRecord } from './batch.ts'
import type { ImportResult } from './ci-runs.ts'

/** The default version tag: `v1.2.3`, `1.2.3`, `v1.2`; no pre-release or build suffix. */
const defaultTagPattern = /^v?\d+\.\d+(\.\d+)?$/

/** Options of {@link importGit}. */
export interface GitImportOptions {
  /** The repository folder. */
  repo: string
  /** Which tags are releases. Default {@link defaultTagPattern}. */
  tagPattern?: RegExp
  /** The process observations go to. Default `dora`. */
  process?: string
  /** Labels every observation gets (`service=checkout`). */
  labels?: Labels
  /** For the future check of observation times. */
  clock?: Clock
}

interface Release {
  tag: string
  commit: string
  at: number
  commits: Commit[]
}

interface Commit {
  sha: string
  at: number
  subject: string
  body: string
}

function git(repo: string, args: string[]): string {
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.stderr.trim().split('\n')[0]
    throw new ProcessHealthError('STEADY_HEALTH_IMPORT_GIT', `git ${args[0]} in ${repo} failed: ${why}`, {
      hint: 'run the import in a git clone with its tags (git fetch --tags; a shallow clone: git fetch --unshallow)',
      details: { repo, command: `git ${args.join(' ')}` },
    })
  }
  return r.stdout
}

/** The version tags in date order, each with its commit. */
function releases(repo: string, pattern: RegExp): Release[] {
  const out = git(repo, [
    'for-each-ref',
    '--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(creatordate:unix)',
    'refs/tags',
  ])
  const list: Release[] = []
  for (const line of out.split('\n')) {
    if (!line) continue
    const [tag, object, peeled, date] = line.split('\0')
    if (!pattern.test(tag)) continue
    list.push({ tag, commit: peeled || object, at: Number(date) * 1000, commits: [] })
  }
  return list.sort((a, b) => a.at - b.at || a.tag.localeCompare(b.tag))
}

/** The first-parent commits in `from..to` (all of `to`'s when `from` is undefined). */
function commitsBetween(repo: string, from: string | undefined, to: string): Commit[] {
  const range = from ? `${from}..${to}` : to
  const out = git(repo, ['log', '--first-parent', '--format=%H%x00%ct%x00%s%x00%b%x1e', range])
  return out
    .split('\x1e')
    .map((chunk) => chunk.replace(/^\n/, ''))
    .filter((chunk) => chunk.includes('\0'))
    .map((chunk) => {
      const [sha, ct, subject, body] = chunk.split('\0')
      return { sha, at: Number(ct) * 1000, subject, body: body ?? '' }
    })
}

/** True when `sha` is an ancestor of `commit` (or is it). */
function contains(repo: string, commit: string, sha: string): boolean {
  return spawnSync('git', ['-C', repo, 'merge-base', '--is-ancestor', sha, commit]).status === 0
}

/** The index of the release that first shipped what a revert commit reverts, or undefined. */
function revertedRelease(repo: string, list: readonly Release[], upTo: number, revert: Commit): number | undefined {
  const sha = /This reverts commit ([0-9a-f]{7,40})/.exec(revert.body)?.[1]
  if (sha) {
    for (let k = 0; k <= upTo; k++) if (list[k].commits.some((c) => c.sha.startsWith(sha))) return k
    // Not on the first-parent line (a commit of a merged branch): the first release containing it.
    for (let k = 0; k <= upTo; k++) if (contains(repo, list[k].commit, sha)) return k
    return undefined
  }
  const subject = /^Revert "(.*)"$/.exec(revert.subject)?.[1]
  if (subject === undefined) return undefined
  for (let k = upTo; k >= 0; k--) if (list[k].commits.some((c) => c.subject === subject)) return k
  return undefined
}

/**
 * Reads deployments, lead times, change failures and times to restore from a
 * repository's version tags and first-parent history; see the module comment
 * for the rules.
 */
export function importGit(processes: readonly ProcessDefinition[], options: GitImportOptions): ImportResult {
  const process = findProcess(processes, options.process ?? 'dora')
  const list = releases(options.repo, options.tagPattern ?? defaultTagPattern)
  const clock = options.clock ?? systemClock
  const out: RecordedObservation[] = []
  const skipped: string[] = []
  const labels = options.labels ?? {}
  const add = (indicator: string, value: number, at: number, id: string, fields: Record<string, string>) => {
    const input = { process: process.name, indicator, value, at, labels, fields, id: `git:${id}:${indicator}` }
    out.push(createRecord(process, input, clock, () => input.id))
  }
  // A maintenance tag (v1.2.1 on a release branch) between main-line tags makes ranges overlap: a
  // commit is counted once, in the first release (by date) that ships it.
  const counted = new Set<string>()
  list.forEach((release, k) => {
    const range = k === 0 ? [] : commitsBetween(options.repo, list[k - 1].commit, release.commit)
    release.commits = range.filter((c) => !counted.has(c.sha))
    for (const c of release.commits) counted.add(c.sha)
  })
  const failedBy = new Map<number, { restoredBy: number; revert: string }>()
  list.forEach((release, k) => {
    for (const c of release.commits) {
      if (!c.subject.startsWith('Revert "')) continue
      const failed = revertedRelease(options.repo, list, k - 1, c)
      if (failed !== undefined && !failedBy.has(failed)) failedBy.set(failed, { restoredBy: k, revert: c.sha })
    }
  })
  let negative = 0
  list.forEach((release, k) => {
    const key = `${release.tag}@${release.commit.slice(0, 12)}`
    add('deployments', 1, release.at, `tag:${key}`, { release: release.tag, commit: release.commit })
    for (const c of release.commits) {
      // A commit dated after its tag (a skewed clock, a re-tag) has no meaningful lead time.
      if (c.at > release.at) {
        negative++
        continue
      }
      add('lead_time', (release.at - c.at) / 3_600_000, release.at, `commit:${c.sha}`, {
        release: release.tag,
        commit: c.sha,
      })
    }
    const failure = failedBy.get(k)
    add('change_failure_rate', failure ? 1 : 0, release.at, `tag:${key}`, { release: release.tag })
    if (failure) {
      const restore = list[failure.restoredBy]
      add('time_to_restore', (restore.at - release.at) / 3_600_000, restore.at, `tag:${key}`, {
        failed_release: release.tag,
        restored_by: restore.tag,
        revert: failure.revert,
      })
    }
  })
  if (list.length)
    skipped.push(`the first release's commits (${list[0].tag}: no earlier release to measure lead time from)`)
  if (negative) skipped.push(`${negative} commits dated after their release tag (no lead time)`)
  return { observations: out, read: list.length, skipped }
}
