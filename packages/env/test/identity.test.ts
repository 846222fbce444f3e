/** Ids (Helm release names), branches from git (also detached and without git), and tags. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { currentBranch, deriveId, slugify, tagEnvName, validateId, MAX_ID_LENGTH } from '../src/identity.ts'
import { parseTags } from '@steady/env/internal'
import { tempProject } from './helpers.ts'

const helmName = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

test('slugify: lower case, dashes, starts with a letter, no dash at the ends', () => {
  assert.equal(slugify('US-56782/support-google-login'), 'us-56782-support-google-login')
  assert.equal(slugify('feature/Ça_marche!!'), 'feature-ca-marche')
  assert.equal(slugify('123-hotfix'), 'env-123-hotfix')
  assert.equal(slugify('--//--'), 'env')
  assert.equal(slugify('$(touch /tmp/pwned)`id`'), 'touch-tmp-pwned-id')
})

test('deriveId: the branch slug plus a 4-char suffix, at most 53 chars, always a valid Helm release name', () => {
  assert.equal(
    deriveId('US-56782/support-google-login', () => '7f3a'),
    'us-56782-support-google-login-7f3a',
  )
  const long = deriveId('feature/' + 'a-very-long-branch-name-'.repeat(10), () => 'beef')
  assert.ok(long.length <= MAX_ID_LENGTH, long)
  assert.match(long, /-beef$/)
  for (const branch of ['main', 'HEAD', '1.2.3', 'release/2024-01', 'x'.repeat(100) + '-', 'ü', 'a--b']) {
    const id = deriveId(branch)
    assert.ok(id.length <= MAX_ID_LENGTH && helmName.test(id), `${branch} → ${id}`)
  }
  assert.not.equal(deriveId('main'), deriveId('main'), 'two runs on one branch get different ids (random suffix)')
})

test('validateId: accepts Helm release names, rejects the rest with the field and a suggestion', () => {
  assert.equal(validateId('pr-42'), 'pr-42')
  for (const bad of ['PR-42', '42-pr', 'pr-', 'pr_42', 'a'.repeat(54), '']) {
    try {
      validateId(bad)
      assert.unreachable(`${bad} accepted`)
    } catch (error) {
      const e = error as { code: string; message: string; hint: string }
      assert.equal(e.code, 'STEADY_ENV_ID_INVALID')
      assert.match(e.message, /^--id: /)
      assert.match(e.hint, /at most 53/)
    }
  }
})

test('parseTags: key=value, validated, each key once; tags become STEADY_TAG_<KEY>', () => {
  assert.equal(parseTags(['team=checkout', 'pr=42', 'note=a=b c']), { team: 'checkout', pr: '42', note: 'a=b c' })
  assert.equal(tagEnvName('build.number'), 'STEADY_TAG_BUILD_NUMBER')
  const bad: [string[], RegExp][] = [
    [['team'], /is not key=value/],
    [['=x'], /is not key=value/],
    [['1team=x'], /tag key "1team" is not valid/],
    [['a=1', 'a=2'], /given twice/],
    [['a=line\nbreak'], /value of tag "a" is not valid/],
    [['a.b=1', 'a_b=2'], /both become STEADY_TAG_A_B/],
  ]
  for (const [items, message] of bad) {
    try {
      parseTags(items)
      assert.unreachable(items.join(' '))
    } catch (error) {
      assert.equal((error as { code: string }).code, 'STEADY_ENV_TAG_INVALID')
      assert.match((error as Error).message, message)
    }
  }
})

test('parseTags: tags named like Object members are tags, not "given twice"', () => {
  const tags = parseTags(['constructor=x', 'toString=y', 'hasOwnProperty=z'])
  assert.equal(tags, { constructor: 'x', toString: 'y', hasOwnProperty: 'z' })
  assert.equal(Object.keys(tags), ['constructor', 'toString', 'hasOwnProperty'])
  try {
    parseTags(['__proto__=x'])
    assert.unreachable('__proto__')
  } catch (error) {
    // Refused for what it is (not a valid key), not as a duplicate of Object.prototype.
    assert.match((error as Error).message, 'tag key "__proto__" is not valid')
  }
  try {
    parseTags(['constructor=x', 'constructor=y'])
    assert.unreachable('twice')
  } catch (error) {
    assert.match((error as Error).message, 'tag "constructor" is given twice')
  }
})

test('currentBranch: git branch, detached HEAD (CI variable, else detached-<sha>), no git', async () => {
  const project = tempProject()
  const git = (...args: string[]) => execFileSync('git', args, { cwd: project.dir, encoding: 'utf8' }).trim()
  try {
    assert.equal(await currentBranch(project.dir, {}), { branch: 'local', source: 'none' })
    git('init', '-q', '-b', 'US-1/login')
    writeFileSync(join(project.dir, 'a.txt'), 'a')
    git('add', 'a.txt')
    git('-c', 'user.name=t', '-c', 'user.email=t@example.test', 'commit', '-q', '-m', 'a')
    assert.equal(await currentBranch(project.dir, {}), { branch: 'US-1/login', source: 'git' })
    const sha = git('rev-parse', '--short', 'HEAD')
    git('checkout', '-q', '--detach')
    assert.equal(await currentBranch(project.dir, { GITHUB_HEAD_REF: 'pr/feature-x' }), {
      branch: 'pr/feature-x',
      source: 'ci',
    })
    assert.equal(await currentBranch(project.dir, {}), { branch: `detached-${sha}`, source: 'detached' })
  } finally {
    project.cleanup()
  }
})

test.run()
