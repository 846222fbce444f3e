/**
 * History in on day one: a real git repository made here with tags and a
 * revert, and CI run files in the formats GitHub Actions' and GitLab's APIs
 * return, imported through the library and the CLI.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  FileStore,
  ciProcess,
  doraProcess,
  importGit,
  importGithubRuns,
  importGitlabPipelines,
  type ProcessHealthError,
  type RecordedObservation,
} from '@steady/process-health'
import { steady } from './helpers/steady-cli.ts'

const fixtures = join(import.meta.dirname, 'fixtures')
const processes = [ciProcess(), doraProcess()]
const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))

/** Runs git in `dir` with both dates fixed, so the history is the same on every machine. */
function git(dir: string, args: string[], date?: string): string {
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: dir,
    GIT_AUTHOR_NAME: 'Mona',
    GIT_AUTHOR_EMAIL: 'mona@example.com',
  }
  const dated = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}
  const r = spawnSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...env, GIT_COMMITTER_NAME: 'Mona', GIT_COMMITTER_EMAIL: 'mona@example.com', ...dated },
  })
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`)
  return r.stdout.trim()
}

function commit(dir: string, file: string, text: string, message: string, date: string): string {
  writeFileSync(join(dir, file), text)
  git(dir, ['add', file], date)
  git(dir, ['commit', '-q', '-m', message], date)
  return git(dir, ['rev-parse', 'HEAD'])
}

/**
 * v1.0.0 (annotated) ← v1.1.0 (lightweight, ships "feat: b") ← v1.2.0 (ships the revert of "feat: b", and a merged
 * branch) ← v1.3.0-rc.1 (a pre-release: not a deployment) ← v1.3.0.
 */
function makeRepo(): { dir: string; shas: Record<string, string> } {
  const dir = tmp('steady-git-import-')
  git(dir, ['init', '-q', '-b', 'main'])
  const shas: Record<string, string> = {}
  shas.a = commit(dir, 'a.txt', 'a', 'feat: a', '2025-01-06T09:00:00Z')
  git(dir, ['tag', '-a', 'v1.0.0', '-m', 'release 1.0.0'], '2025-01-06T12:00:00Z')
  shas.b = commit(dir, 'b.txt', 'b', 'feat: b', '2025-01-07T09:00:00Z')
  shas.c = commit(dir, 'c.txt', 'c', 'fix: c', '2025-01-07T15:00:00Z')
  git(dir, ['tag', 'v1.1.0'], '2025-01-07T15:00:00Z')
  git(dir, ['revert', '--no-edit', shas.b], '2025-01-08T10:00:00Z')
  shas.revert = git(dir, ['rev-parse', 'HEAD'])
  git(dir, ['checkout', '-q', '-b', 'topic'])
  shas.topic = commit(dir, 'd.txt', 'd', 'feat: d on a branch', '2025-01-08T11:00:00Z')
  git(dir, ['checkout', '-q', 'main'])
  git(dir, ['merge', '-q', '--no-ff', '-m', 'Merge branch topic', 'topic'], '2025-01-08T12:00:00Z')
  shas.merge = git(dir, ['rev-parse', 'HEAD'])
  git(dir, ['tag', '-a', 'v1.2.0', '-m', 'release 1.2.0'], '2025-01-08T14:00:00Z')
  shas.e = commit(dir, 'e.txt', 'e', 'feat: e', '2025-01-09T09:00:00Z')
  git(dir, ['tag', 'v1.3.0-rc.1'], '2025-01-09T09:00:00Z')
  git(dir, ['tag', '-a', 'v1.3.0', '-m', 'release 1.3.0'], '2025-01-10T09:00:00Z')
  return { dir, shas }
}

function pick(list: readonly RecordedObservation[], indicator: string) {
  return list.filter((o) => o.indicator === indicator)
}

test('git: tags are deployments, first-parent commits give lead times, a revert fails the release it reverts', () => {
  const { dir, shas } = makeRepo()
  const result = importGit(processes, { repo: dir, labels: { service: 'checkout' } })
  assert.is(result.read, 4, 'v1.0.0, v1.1.0, v1.2.0, v1.3.0; not the pre-release')
  const deployments = pick(result.observations, 'deployments')
  assert.equal(
    deployments.map((o) => o.fields?.release),
    ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0'],
  )
  // Annotated tags at their tagger date; the lightweight v1.1.0 at its commit's date.
  assert.equal(
    deployments.map((o) => new Date(o.at).toISOString()),
    ['2025-01-06T12:00:00.000Z', '2025-01-07T15:00:00.000Z', '2025-01-08T14:00:00.000Z', '2025-01-10T09:00:00.000Z'],
  )
  assert.ok(deployments.every((o) => o.value === 1 && o.labels?.service === 'checkout'))
  const lead = pick(result.observations, 'lead_time')
  const leadBy = Object.fromEntries(lead.map((o) => [o.fields?.commit, o.value]))
  // v1.1.0 at 01-07 15:00: b (09:00) 6 h, c (15:00) 0 h. v1.2.0 at 01-08 14:00: the revert (10:00) 4 h, the merge
  // (12:00) 2 h; the branch commit is not first-parent. v1.3.0 at 01-10 09:00: e (01-09 09:00) 24 h. v1.0.0: none.
  assert.equal(leadBy, { [shas.b]: 6, [shas.c]: 0, [shas.revert]: 4, [shas.merge]: 2, [shas.e]: 24 })
  assert.not.ok(shas.topic in leadBy)
  const cfr = pick(result.observations, 'change_failure_rate')
  assert.equal(
    cfr.map((o) => [o.fields?.release, o.value]),
    [
      ['v1.0.0', 0],
      ['v1.1.0', 1],
      ['v1.2.0', 0],
      ['v1.3.0', 0],
    ],
  )
  const restore = pick(result.observations, 'time_to_restore')
  assert.is(restore.length, 1)
  assert.equal(restore[0].fields, { failed_release: 'v1.1.0', restored_by: 'v1.2.0', revert: shas.revert })
  assert.is(restore[0].value, 23, 'v1.1.0 (01-07 15:00) to v1.2.0 (01-08 14:00)')
  assert.is(restore[0].at, Date.parse('2025-01-08T14:00:00Z'))
  // Ids come from the source: every id is unique and names the tag or commit.
  const ids = result.observations.map((o) => o.id!)
  assert.is(new Set(ids).size, ids.length)
  assert.ok(ids.includes(`git:commit:${shas.b}:lead_time`), ids.join(' '))
})

test('git: a revert found by its subject only, and a revert in the same release is no failure', () => {
  const dir = tmp('steady-git-import-')
  git(dir, ['init', '-q', '-b', 'main'])
  commit(dir, 'a.txt', 'a', 'feat: a', '2025-02-03T09:00:00Z')
  git(dir, ['tag', 'v2.0'], '2025-02-03T09:00:00Z')
  commit(dir, 'b.txt', 'b', 'feat: b', '2025-02-04T09:00:00Z')
  git(dir, ['tag', 'v2.1'], '2025-02-04T09:00:00Z')
  // A squash-merged revert whose body lost the "This reverts commit" line.
  commit(dir, 'b.txt', 'b2', 'Revert "feat: b"', '2025-02-05T09:00:00Z')
  commit(dir, 'c.txt', 'c', 'feat: c', '2025-02-05T10:00:00Z')
  const c = git(dir, ['rev-parse', 'HEAD'])
  git(dir, ['revert', '--no-edit', c], '2025-02-05T11:00:00Z')
  git(dir, ['tag', 'v2.2'], '2025-02-05T12:00:00Z')
  const result = importGit(processes, { repo: dir })
  const cfr = pick(result.observations, 'change_failure_rate')
  assert.equal(
    cfr.map((o) => [o.fields?.release, o.value]),
    [
      ['v2.0', 0],
      ['v2.1', 1],
      ['v2.2', 0],
    ],
  )
  const restore = pick(result.observations, 'time_to_restore')
  // Lightweight tags are at their commit's date: v2.1 02-04 09:00, v2.2 (the revert of c) 02-05 11:00.
  assert.equal(
    restore.map((o) => [o.fields?.failed_release, o.fields?.restored_by, o.value]),
    [['v2.1', 'v2.2', 26]],
  )
})

test('git: tags on a maintenance branch between main-line tags count each commit once', () => {
  const dir = tmp('steady-git-import-')
  git(dir, ['init', '-q', '-b', 'main'])
  commit(dir, 'a.txt', 'a', 'feat: a', '2025-02-03T09:00:00Z')
  git(dir, ['tag', 'v1.0.0'], '2025-02-03T09:00:00Z')
  git(dir, ['checkout', '-q', '-b', 'release/1.0'])
  const fix1 = commit(dir, 'f.txt', '1', 'fix: one', '2025-02-04T09:00:00Z')
  git(dir, ['tag', 'v1.0.1'], '2025-02-04T09:00:00Z')
  git(dir, ['checkout', '-q', 'main'])
  const feat = commit(dir, 'b.txt', 'b', 'feat: b', '2025-02-05T09:00:00Z')
  git(dir, ['tag', 'v1.1.0'], '2025-02-05T09:00:00Z')
  git(dir, ['checkout', '-q', 'release/1.0'])
  const fix2 = commit(dir, 'f.txt', '2', 'fix: two', '2025-02-06T09:00:00Z')
  git(dir, ['tag', 'v1.0.2'], '2025-02-06T09:00:00Z')
  const lead = pick(importGit(processes, { repo: dir }).observations, 'lead_time')
  assert.equal(
    lead.map((o) => [o.fields?.release, o.fields?.commit]),
    [
      ['v1.0.1', fix1],
      ['v1.1.0', feat],
      ['v1.0.2', fix2],
    ],
  )
})

test('git: a folder that is not a repository is an error saying what to do', () => {
  try {
    importGit(processes, { repo: tmp('steady-not-git-') })
    assert.unreachable()
  } catch (error) {
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_IMPORT_GIT')
    assert.match((error as ProcessHealthError).hint ?? '', /git clone with its tags/)
  }
})

test('GitHub Actions runs: completed runs, conclusions as outcomes, first-attempt durations, bounded branches', () => {
  const file = join(fixtures, 'github-actions-runs.json')
  const result = importGithubRuns(readFileSync(file, 'utf8'), 'runs.json', processes)
  assert.is(result.read, 7)
  assert.equal(result.skipped.sort(), ['1 runs cancelled (neither passed nor failed)', '1 runs not completed'])
  const success = pick(result.observations, 'success_rate')
  assert.equal(
    success.map((o) => [o.fields?.run_id, o.value]),
    [
      ['30433642', 1],
      ['30433643', 0],
      ['30433644', 1],
      ['30433645', 1],
      ['30433648', 0],
    ],
  )
  assert.equal(
    success.map((o) => o.labels?.branch),
    ['main', 'main', 'other', 'release/*', 'main'],
  )
  assert.is(success[2].fields?.branch_name, 'feature/login')
  assert.is(success[4].labels?.workflow, 'Nightly')
  // The second attempt of 30433645 keeps the first attempt's created_at: no cycle or queue time from it.
  const cycle = pick(result.observations, 'cycle_time')
  assert.equal(
    cycle.map((o) => [o.fields?.run_id, o.value]),
    [
      ['30433642', 570],
      ['30433643', 360],
      ['30433644', 480],
      ['30433648', 21_620],
    ],
  )
  const queue = pick(result.observations, 'queue_time')
  assert.equal(
    queue.map((o) => o.value),
    [30, 60, 10, 20],
  )
  assert.is(cycle[0].at, Date.parse('2025-03-03T10:09:30Z'), 'at updated_at')
  assert.is(cycle[0].id, 'github:run:30433642:1:cycle_time')
})

test('GitLab pipelines: the list format and the single-pipeline fields', () => {
  const list = importGitlabPipelines(
    readFileSync(join(fixtures, 'gitlab-pipelines.json'), 'utf8'),
    'pipelines.json',
    processes,
  )
  assert.is(list.read, 4)
  assert.equal(list.skipped.sort(), [
    '1 pipelines canceled (neither passed nor failed)',
    '1 pipelines running (neither passed nor failed)',
  ])
  assert.equal(
    pick(list.observations, 'success_rate').map((o) => o.value),
    [1, 0],
  )
  // The list has no finished_at: updated_at − created_at, and no queue time.
  assert.equal(
    pick(list.observations, 'cycle_time').map((o) => o.value),
    [720, 240],
  )
  assert.equal(pick(list.observations, 'queue_time'), [])
  const single = importGitlabPipelines(
    readFileSync(join(fixtures, 'gitlab-pipeline-single.json'), 'utf8'),
    'single.json',
    processes,
  )
  const cycle = pick(single.observations, 'cycle_time')[0]
  assert.is(cycle.value, 690, 'finished_at − created_at')
  assert.is(cycle.at, Date.parse('2025-03-06T08:11:30Z'))
  assert.is(cycle.labels?.branch, 'release/*')
  assert.is(pick(single.observations, 'queue_time')[0].value, 90, 'queued_duration')
  assert.is(cycle.id, 'gitlab:pipeline:278964:1400005:cycle_time')
})

test('a ci process declared without a workflow label still imports: the workflow goes to the fields', () => {
  const ci = ciProcess({ labels: ['branch'] })
  const text = readFileSync(join(fixtures, 'github-actions-runs.json'), 'utf8')
  const result = importGithubRuns(text, 'runs.json', [ci])
  const nightly = result.observations.find((o) => o.fields?.run_id === '30433648')!
  assert.equal(nightly.labels, { branch: 'main' })
  assert.is(nightly.fields?.workflow, 'Nightly')
})

test('a run file with a wrong field names the file and the field', () => {
  const runs = JSON.parse(readFileSync(join(fixtures, 'github-actions-runs.json'), 'utf8')) as {
    workflow_runs: Array<Record<string, unknown>>
  }
  runs.workflow_runs[2].updated_at = 'yesterday'
  try {
    importGithubRuns(JSON.stringify(runs), 'runs.json', processes)
    assert.unreachable()
  } catch (error) {
    assert.is((error as ProcessHealthError).code, 'STEADY_HEALTH_IMPORT_INVALID')
    assert.match(
      (error as Error).message,
      'runs.json: workflow_runs[2].updated_at: expected an ISO 8601 time, got "yesterday"',
    )
  }
  try {
    importGitlabPipelines('{"workflow_runs": []}', 'pipelines.json', processes)
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, /pipelines\.json: \(pipeline\)\.id: expected a number/)
  }
})

test('steady health import: git and GitHub Actions into a store, twice, the second time adding nothing', async () => {
  const { dir } = makeRepo()
  const store = tmp('steady-import-store-')
  const first = await steady(['health', 'import', 'git', dir, '--store', store, '--label', 'service=checkout'])
  assert.is(first.code, 0, first.err)
  assert.match(first.out, /imported 14 observations from 4 releases .*: 14 new/)
  const again = await steady(['health', 'import', 'git', dir, '--store', store, '--label', 'service=checkout'])
  assert.is(again.code, 0, again.err)
  assert.match(again.out, /: 0 new; 14 were already stored/)
  const dora = await new FileStore(store).read({ process: 'dora' })
  assert.is(dora.length, 14)
  const runs = join(fixtures, 'github-actions-runs.json')
  const ci = await steady(['health', 'import', 'github-actions', runs, '--store', store])
  assert.is(ci.code, 0, ci.err)
  assert.match(ci.out, /13 new/)
  assert.match(ci.out, /left out: 1 runs not completed/)
  const ciAgain = await steady(['health', 'import', 'github-actions', runs, '--store', store])
  assert.match(ciAgain.out, /0 new; 13 were already stored/)
  assert.is((await new FileStore(store).read({ process: 'ci' })).length, 13)
  const dry = await steady([
    'health',
    'import',
    'gitlab',
    join(fixtures, 'gitlab-pipelines.json'),
    '--store',
    store,
    '--dry-run',
  ])
  assert.is(dry.code, 0, dry.err)
  assert.match(dry.out, /would import 4 observations from 4 runs/)
  assert.is((await new FileStore(store).read({ process: 'ci' })).length, 13, 'a dry run writes nothing')
  const missing = await steady(['health', 'import', 'gitlab', '--store', store])
  assert.is(missing.code, 2)
  assert.match(missing.err, /needs the JSON file/)
})

test.run()
