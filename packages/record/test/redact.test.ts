import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Redactor, redact } from '@steady/record'
import { REDACTED } from '@steady/record/internal'

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
  assert.equal(
    r.headers([
      ['authorization', 'Basic dXNlcjpwYXNz'],
      ['accept', '*/*'],
    ]),
    [
      ['authorization', REDACTED],
      ['accept', '*/*'],
    ],
  )
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
  for (const secret of [
    'p@ss',
    'abcdef123',
    'shh-its-secret',
    'hunter2',
    'KEY12345',
    'eyJhbGciOiJIUzI1NiJ9',
    'abcdefgh',
  ]) {
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
  const r = new Redactor({
    patterns: [/ssn=(\d{3}-\d{2}-\d{4})/, 'INTERNAL-[A-Z0-9]+'],
    secrets: ['db-password-xyz'],
    fields: ['ssn'],
  })
  assert.is(
    r.text('ssn=123-45-6789 id INTERNAL-AB12 conn db-password-xyz'),
    `ssn=${REDACTED} id ${REDACTED} conn ${REDACTED}`,
  )
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
  // A URL's password, with an empty user or an @ in it, is masked to the last @ of the user part.
  assert.is(
    redact('see http://:pw@h:1/x and ftp://u:p@ss@h/'),
    `see http://:${REDACTED}@h:1/x and ftp://u:${REDACTED}@h/`,
  )
  assert.is(redact('http://host:8080/path@x'), 'http://host:8080/path@x')
  // In JSON text the password ends with its value; a password masked already stays as it is.
  assert.is(redact('{"u":"http://ci:pw@h1","mail":"a@b"}'), `{"u":"http://ci:${REDACTED}@h1","mail":"a@b"}`)
  assert.is(redact('scrapes of http://ci:***@h/metrics failed'), 'scrapes of http://ci:***@h/metrics failed')
  assert.equal(redact({ at: new URL('http://ci:pw@h/') }), { at: `http://ci:${REDACTED}@h/` })
  // A comma or a quote is a password's own character outside JSON strings.
  assert.is(redact('postgres://u:p,w@h/db'), `postgres://u:${REDACTED}@h/db`)
  assert.is(redact("http://u:it's@h/"), `http://u:${REDACTED}@h/`)
  // toJSON is called once: an object whose toJSON returns another such object is copied, not followed forever.
  const nested = { toJSON: () => ({ token: 'abc123', toJSON: () => ({ again: true }) }) }
  assert.is((redact({ nested }).nested as unknown as { token: string }).token, REDACTED)
  // One object reached twice, not through itself, is no cycle: both places keep a copy.
  const subject = { service: 'store', target: 'http://ci:pw@host/' }
  const twice = redact({ subject, paired: { candidate: subject } })
  assert.is(twice.paired.candidate, twice.subject, 'one copy, shared as the original was')
  assert.is(twice.subject.target, `http://ci:${REDACTED}@host/`)
})

test('a failure group keeps its signature (regression: the whole group was masked)', () => {
  const out = redact({
    failures: [{ signature: { scenario: 'checkout', step: 'pay', assertion: 'toHaveStatus' }, count: 2 }],
  })
  assert.equal(out.failures[0].signature, { scenario: 'checkout', step: 'pay', assertion: 'toHaveStatus' })
  // A signature header is still a credential.
  assert.equal(new Redactor().headers({ 'X-Hub-Signature-256': 'sha256=abcdef0123' }), {
    'X-Hub-Signature-256': REDACTED,
  })
})

test('names are matched as whole names and well-known endings: masked', () => {
  const r = new Redactor()
  const headers = [
    'Authorization',
    'Proxy-Authorization',
    'Cookie',
    'Set-Cookie',
    'X-Api-Key',
    'X-Goog-Api-Key',
    'X-Auth-Token',
    'X-CSRF-Token',
    'X-Amz-Security-Token',
    'Ocp-Apim-Subscription-Key',
    'X-Functions-Key',
    'Private-Token',
    'X-Hub-Signature-256',
    'X-Session',
  ]
  for (const h of headers) assert.ok(r.isSecretHeader(h), `header ${h} should be masked`)
  const fields = [
    'password',
    'password_confirmation',
    'newPassword',
    'passwd',
    'pwd',
    'secret',
    'client_secret',
    'clientSecret',
    'token',
    'access_token',
    'id_token',
    'refresh_token',
    'auth_token',
    'accessToken',
    'api_key',
    'apikey',
    'apiKey',
    'APIKey',
    'access_key',
    'secret_access_key',
    'AWSSecretAccessKey',
    'private_key',
    'sig',
    'signature',
    'X-Amz-Signature',
    'X-Amz-Credential',
    'X-Amz-Security-Token',
    'session_id',
    'sessionid',
    'JSESSIONID',
    'PHPSESSID',
    'authorization',
    'cookie',
    'credentials',
    'otp',
    'cvv',
  ]
  for (const f of fields) assert.ok(r.isSecretField(f), `field ${f} should be masked`)
  for (const p of ['key', 'sid']) assert.ok(r.isSecretField(p, 'param'), `parameter ${p} should be masked`)
  const query =
    'https://b.example/o?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F2026&X-Amz-Signature=f00dfeed0123&X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLE&key=AIzaSyEXAMPLE1&sig=c2lnbmF0dXJlMQ%3D&access_key=ak-123456&id_token=eyJpZC0xMjM0&refresh_token=rt-abcdef'
  const out = r.text(query)
  for (const secret of [
    'AKIAEXAMPLE',
    'f00dfeed0123',
    'FwoGZXIvYXdzEXAMPLE',
    'AIzaSyEXAMPLE1',
    'c2lnbmF0dXJlMQ',
    'ak-123456',
    'eyJpZC0xMjM0',
    'rt-abcdef',
  ]) {
    assert.not.ok(out.includes(secret), `${secret} leaked: ${out}`)
  }
  assert.ok(out.includes('X-Amz-Algorithm=AWS4-HMAC-SHA256'), out)
  const form = r.text('grant_type=client_credentials&client_id=app-1&client_secret=cs-0987654321')
  assert.is(form, `grant_type=client_credentials&client_id=app-1&client_secret=${REDACTED}`)
  assert.equal(redact({ api: { apiKey: 'k-1234567', keyId: 'kid-1' } }), { api: { apiKey: REDACTED, keyId: 'kid-1' } })
})

test('an OAuth authorization code is masked in a callback or token request, an error code is not', () => {
  const r = new Redactor()
  assert.is(r.text('/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz'), `/callback?code=${REDACTED}&state=xyz`)
  assert.is(
    r.text('grant_type=authorization_code&code=Splx-1234abcd&redirect_uri=https%3A%2F%2Fapp'),
    `grant_type=authorization_code&code=${REDACTED}&redirect_uri=https%3A%2F%2Fapp`,
  )
  assert.equal(redact({ grant_type: 'authorization_code', code: 'Splx-99887766' }), {
    grant_type: 'authorization_code',
    code: REDACTED,
  })
  assert.is(r.text('/orders?code=SUMMER24&page=2'), '/orders?code=SUMMER24&page=2')
  assert.equal(redact({ error: { code: 'NOT_FOUND', message: 'no such order' } }), {
    error: { code: 'NOT_FOUND', message: 'no such order' },
  })
})

test("steady's own files keep their structure: a series key is not a credential (regression: every key was masked)", () => {
  const record = {
    series: [{ key: 'load/http_req_duration{name=get ping,scenario=smoke}', tags: { name: 'get ping' } }],
    sid: 'run-1',
  }
  assert.equal(redact(record), record)
  assert.is(new Redactor().text('{"key":"load/http_req_duration{name=a}"}'), '{"key":"load/http_req_duration{name=a}"}')
  assert.is(new Redactor().text('/maps?key=AIzaSyEXAMPLE1&q=x'), `/maps?key=${REDACTED}&q=x`)
})

test('names are matched as whole names and well-known endings: not masked', () => {
  const r = new Redactor()
  const headers = [
    'Access-Control-Allow-Credentials',
    'Access-Control-Allow-Headers',
    'Content-Type',
    'X-Request-Id',
    'Idempotency-Key',
    'Cache-Control',
    'X-Amz-Date',
    'X-Amz-Content-Sha256',
    'WWW-Authenticate',
    'X-RateLimit-Remaining',
    'Keep-Alive',
    'X-Tokens-Used',
  ]
  for (const h of headers) assert.not.ok(r.isSecretHeader(h), `header ${h} should not be masked`)
  const fields = [
    'token_type',
    'tokenType',
    'expires_in',
    'max_tokens',
    'tokens_used',
    'tokenizer',
    'keyboard',
    'monkey',
    'keys',
    'key_id',
    'primaryKey',
    'sortKey',
    'authorizationUrl',
    'author',
    'authority',
    'signatureVersion',
    'signed',
    'session_count',
    'secretary',
    'passage',
    'pinned',
    'code',
    'X-Amz-Algorithm',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'withCredentials',
    'credentials_expire_at',
  ]
  for (const f of fields) assert.not.ok(r.isSecretField(f), `field ${f} should not be masked`)
  const out = r.text(
    'access-control-allow-credentials: true\n{"token_type":"Bearer","expires_in":3600,"max_tokens":512}',
  )
  assert.is(out, 'access-control-allow-credentials: true\n{"token_type":"Bearer","expires_in":3600,"max_tokens":512}')
  assert.equal(r.headers({ 'access-control-allow-credentials': 'true' }), {
    'access-control-allow-credentials': 'true',
  })
})

test.run()
