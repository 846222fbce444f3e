/** URLs with a user and password: split for fetch (Basic authorization), and shown with the password masked. */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { httpUrlProblem, maskUrlPassword, splitUrlCredentials } from '@steady/kernel'

test('a URL with user and password: the bare URL, the user shown, the password masked, and Basic auth', () => {
  const s = splitUrlCredentials('https://ci:s3cret@push.example.test:9091/metrics?x=1')
  assert.is(s.url, 'https://push.example.test:9091/metrics?x=1')
  assert.is(s.shown, 'https://ci:***@push.example.test:9091/metrics?x=1')
  assert.is(s.authorization, `Basic ${Buffer.from('ci:s3cret').toString('base64')}`)
})

test('an empty user, an @ or a colon in the password, and a user alone', () => {
  assert.is(maskUrlPassword('http://:pw@127.0.0.1:3000/'), 'http://:***@127.0.0.1:3000/')
  const at = splitUrlCredentials('http://ci:p%40ss:word@127.0.0.1/')
  assert.is(at.shown, 'http://ci:***@127.0.0.1/')
  assert.is(Buffer.from(at.authorization!.slice(6), 'base64').toString(), 'ci:p@ss:word')
  assert.is(maskUrlPassword('http://ci@127.0.0.1/'), 'http://ci@127.0.0.1/')
})

test('text that is no URL, or a URL without credentials, is left as it is', () => {
  for (const raw of ['localhost:3000', 'not a url', 'http://127.0.0.1:3000/x'])
    assert.equal(splitUrlCredentials(raw), { url: raw, shown: raw })
})

test('a URL the parser refuses still has its password masked when shown', () => {
  assert.is(maskUrlPassword('http://ci:pw@h:99999/'), 'http://ci:***@h:99999/')
  assert.is(maskUrlPassword('http://ci:pw@bad host/'), 'http://ci:***@bad host/')
})

test('an http(s) base URL has no problem; anything else is named, its password masked', () => {
  for (const ok of ['http://127.0.0.1:3000', 'https://ci:pw@store.example.test/base/'])
    assert.is(httpUrlProblem(ok), undefined)
  assert.is(
    httpUrlProblem('ftp://ci:pw@files.example.test/'),
    '"ftp://ci:***@files.example.test/" is not an http(s) URL',
  )
  assert.is(httpUrlProblem('localhost:3000'), '"localhost:3000" is not an http(s) URL')
  assert.is(httpUrlProblem('http://ci:pw@bad host/'), '"http://ci:***@bad host/" is not a URL')
  assert.is(httpUrlProblem(''), '"" is not a URL')
  // Credentials in text that is no http(s) URL: a forgotten scheme, a scheme-relative URL, a # in the password.
  assert.is(httpUrlProblem('ci:s3cret@store:3000'), '"ci:***@store:3000" is not an http(s) URL')
  assert.is(httpUrlProblem('//ci:s3cret@store:3000'), '"//ci:***@store:3000" is not a URL')
  assert.is(httpUrlProblem('http://ci:s3#cret@store/'), '"http://ci:***@store/" is not a URL')
  assert.is(httpUrlProblem('http://s3cret-token@bad host/'), '"http://***@bad host/" is not a URL')
  // A value that is no string at all (an unset environment variable in a config).
  assert.is(httpUrlProblem(undefined), 'expected a URL, got undefined')
})

test.run()
