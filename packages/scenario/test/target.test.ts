/** Picking the target a run goes to: a URL, a named target, and bad URLs named with their field and no password. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveTarget } from '@steady/scenario'
import type { SteadyError } from '@steady/record'

function error(fn: () => unknown): SteadyError {
  try {
    fn()
  } catch (e) {
    return e as SteadyError
  }
  throw new Error('expected an error')
}

test('a URL flag, a named target and the only target', () => {
  const config = { targets: { local: 'http://127.0.0.1:3000', stage: { url: 'https://stage.example.test' } } }
  assert.equal(resolveTarget(config, 'http://127.0.0.1:4000'), { url: 'http://127.0.0.1:4000' })
  assert.is(resolveTarget(config, 'stage').url, 'https://stage.example.test')
  assert.equal(resolveTarget({ targets: { local: 'http://127.0.0.1:3000' } }, undefined), {
    url: 'http://127.0.0.1:3000',
    name: 'local',
  })
})

test('a target that is not an http(s) URL names its field and masks its password', () => {
  const e = error(() => resolveTarget({ targets: { ftp: 'ftp://ci:s3cret@files.example.test/' } }, 'ftp'))
  assert.is(e.code, 'STEADY_CONFIG_INVALID')
  assert.is(e.message, 'targets.ftp: "ftp://ci:***@files.example.test/" is not an http(s) URL')
  assert.not.match(JSON.stringify(e), 's3cret')
  const bad = error(() => resolveTarget({ targets: { x: { url: 'http://ci:s3cret@bad host/' } } }, 'x'))
  assert.is(bad.message, 'targets.x.url: "http://ci:***@bad host/" is not a URL')
})

test.run()
