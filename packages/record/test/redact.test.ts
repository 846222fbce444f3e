import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Redactor, redact, REDACTED } from '@steady/record'

test('masks credential headers, keeps the others', () => {
  const r = new Redactor()
  const out = r.headers({
    Authorization: 'Bearer abc.def.ghi',
    Cookie: 'sid=s3cr3tcookie; theme=dark',
    'Set-Cookie': ['session=zzzzzzzz; HttpOnly'],
    'X-Api-Key': 'k-123456789',
    'X-Session-Token': 'tok-987654',
    'Content-Type': 'application/json',
  })
  assert.equal(out, {
    Authorization: REDACTED,
    Cookie: REDACTED,
    'Set-Cookie': [REDACTED],
    'X-Api-Key': REDACTED,
    'X-Session-Token': REDACTED,
    'Content-Type': 'application/json',
  })
  // header pairs too
  assert.equal(r.headers([['authorization', 'Basic dXNlcjpwYXNz'], ['accept', '*/*']]), [['authorization', REDACTED], ['accept', '*/*']])
})

test('masks secret JSON fields at any depth', () => {
  const out = redact({
    user: { email: 'a@b.c', password: 'hunter22', profile: { api_key: 'AKIA1234' } },
    access_token: 'eyJhbGciOi',
    clientSecret: 'cs-1',
    list: [{ token: 't0k3n-value' }],
    count: 3,
  })
  assert.equal(out, {
    user: { email: 'a@b.c', password: REDACTED, profile: { api_key: REDACTED } },
    access_token: REDACTED,
    clientSecret: REDACTED,
    list: [{ token: REDACTED }],
    count: 3,
  })
})

test('masks secrets inside text bodies, forms, URLs and header lines', () => {
  const r = new Redactor()
  const text = [
    '{"email":"x@y.z","password":"p@ss\\"word1","token":"abcdef123"}',
    'grant_type=client_credentials&client_secret=shh-its-secret&scope=read',
    'https://bob:hunter2@example.test/path?api_key=KEY12345&page=2',
    'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig" http://x',
    'Cookie: sid=abcdefgh',
  ].join('\n')
  const out = r.text(text)
  for (const secret of ['p@ss', 'abcdef123', 'shh-its-secret', 'hunter2', 'KEY12345', 'eyJhbGciOiJIUzI1NiJ9', 'abcdefgh']) {
    assert.not.ok(out.includes(secret), `${secret} leaked: ${out}`)
  }
  assert.ok(out.includes('"email":"x@y.z"'))
  assert.ok(out.includes('scope=read'))
  assert.ok(out.includes('page=2'))
})

test('a masked value is masked wherever it shows up again', () => {
  const r = new Redactor()
  r.headers({ authorization: 'Bearer tok-1234567890' })
  assert.is(r.text('GET /api/orders?access=tok-1234567890 failed'), `GET /api/orders?access=${REDACTED} failed`)
  r.value({ password: 'correct-horse' })
  assert.is(r.text('login with correct-horse'), `login with ${REDACTED}`)
})

test('config patterns and known secrets', () => {
  const r = new Redactor({ patterns: [/ssn=(\d{3}-\d{2}-\d{4})/, 'INTERNAL-[A-Z0-9]+'], secrets: ['db-password-xyz'], fields: ['ssn'] })
  assert.is(r.text('ssn=123-45-6789 id INTERNAL-AB12 conn db-password-xyz'), `ssn=${REDACTED} id ${REDACTED} conn ${REDACTED}`)
  assert.equal(r.value({ SSN: '1' }), { SSN: REDACTED })
})

test('leaves ordinary data alone and copes with cycles', () => {
  const input: Record<string, unknown> = { name: 'Blue mug', price: 12.5, tags: ['a'], tokens_used: undefined }
  input.self = input
  const out = redact(input) as Record<string, unknown>
  assert.is(out.name, 'Blue mug')
  assert.is(out.price, 12.5)
  assert.is(out.self, '[Circular]')
  assert.is(input.self, input)
})

test('a failure group keeps its signature (regression: the whole group was masked)', () => {
  const out = redact({ failures: [{ signature: { scenario: 'checkout', step: 'pay', assertion: 'toHaveStatus' }, count: 2 }] })
  assert.equal(out.failures[0].signature, { scenario: 'checkout', step: 'pay', assertion: 'toHaveStatus' })
  // A signature header is still a credential.
  assert.equal(new Redactor().headers({ 'X-Hub-Signature-256': 'sha256=abcdef0123' }), { 'X-Hub-Signature-256': REDACTED })
})

test.run()
