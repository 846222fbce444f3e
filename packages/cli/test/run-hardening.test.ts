/**
 * `steady run` output that a person pastes or a terminal shows: the replay
 * line is quoted for a shell, names and bodies cannot drive the terminal,
 * the run record is written whatever the reporters, and JUnit keeps the whole message.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { project, steady } from './helpers/run-project.ts'
import { nextVerdictCommand } from '../src/commands/soak.ts'

let server: Server
let url: string
test.before(async () => {
  // Answers with text a hostile service could send: ANSI escapes and a GitHub workflow command.
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('ok\n::error title=owned::from the body\n\u001b[2J\u001b[31mred\u0007')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.after(() => new Promise<void>((r) => server.close(() => r())))

function failingScenario(name: string): string {
  return `import { scenario, expect } from '@steady/scenario'
export default scenario(${JSON.stringify(name)}, async ({ http, step }) => {
  const r = await step('get', () => http.get('/x'))
  expect(r.status).toBe(201)
})
`
}

/** The words bash passes to `steady` when it runs `line`, with `steady` defined as a function that records them. */
function wordsBashRuns(line: string, cwd: string): string[] {
  const argsFile = join(cwd, 'args.bin')
  const r = spawnSync('bash', ['-c', `steady() { printf '%s\\0' "$@" > ${argsFile}; }\n${line}`], {
    cwd,
    encoding: 'utf8',
  })
  assert.is(r.status, 0, r.stderr)
  return readFileSync(argsFile, 'utf8').split('\0').slice(0, -1)
}

test('the printed replay line runs nothing in bash and selects the scenario, whatever its name', async () => {
  const marker = join(mkdtempSync(join(tmpdir(), 'steady-quote-')), 'ran')
  const name = `evil $(touch ${marker}) \`touch ${marker}\` "dq" 'sq' $HOME\nsecond line`
  const dir = project({
    'steady.config.ts': `export default { scenarios: ['s.scenario.ts'], targets: { svc: ${JSON.stringify(url)} }, defaultTarget: 'svc' }\n`,
    's.scenario.ts': failingScenario(name),
  })
  const r = await steady(['run', '--reporter', 'pretty,json', '--out', 'out'], dir)
  assert.is(r.code, 1, r.out + r.err)
  const line = r.out.split('\n').find((l) => l.includes('steady run --replay'))
  assert.ok(line, r.out)
  const words = wordsBashRuns(line.trim(), dir)
  assert.not.ok(existsSync(marker), 'the pasted line ran a command')
  assert.equal(words, ['run', '--replay', join(dir, 'out', 'run.json'), '--scenario', name, '--iteration', '0'])
  const replay = await steady(words, dir)
  assert.is(replay.code, 1, replay.out + replay.err)
  assert.match(replay.out, 'iteration 0 of run')
  assert.match(replay.out, '✗ evil $(touch')
})

/** Fails when a terminal would act on `text`: a raw control character (a newline ends a line), or a workflow command line. */
function assertTerminalSafe(text: string, where: string): void {
  for (const line of text.split('\n')) {
    assert.not.match(
      line,
      /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/,
      `${where}: a raw control character in ${JSON.stringify(line)}`,
    )
    assert.not.ok(line.trimStart().startsWith('::'), `${where}: a workflow command line ${JSON.stringify(line)}`)
  }
}

test("the soak's next: line quotes its record path for a shell: pasted into bash it runs nothing", () => {
  const marker = join(mkdtempSync(join(tmpdir(), 'steady-next-')), 'ran')
  const out = `reports/a b$(touch ${marker})\`touch ${marker}\`/run.json`
  const line = nextVerdictCommand(out, true)
  const echoed = spawnSync('bash', ['-c', line.replace(/^steady /, 'printf "%s\\n" ').replace(/ --gate <gate>$/, '')], {
    encoding: 'utf8',
  })
  assert.is(echoed.status, 0, echoed.stderr)
  assert.equal(echoed.stdout.split('\n').slice(0, 2), ['verdict', out])
  assert.not.ok(existsSync(marker), 'the path ran a command')
  assert.is(
    nextVerdictCommand('reports/ci/run.json', false),
    'steady verdict reports/ci/run.json --baseline baselines/<service>.json --gate <gate>',
  )
})

test('health and baseline output escape labels from outside: no raw escape, no line starting with ::', async () => {
  const { main } = await import('@steady/cli')
  const dir = mkdtempSync(join(tmpdir(), 'steady-health-escape-'))
  writeFileSync(join(dir, 'steady.config.ts'), 'export default {}\n')
  let out = ''
  const io = { cwd: dir, out: (t: string) => (out += t), err: (t: string) => (out += t), isTTY: false }
  const label = 'branch=x\u001b[31m\n::error::pwned'
  assert.is(
    await main(
      ['health', 'record', '--process', 'ci', '--indicator', 'cycle_time', '--value', '60', '--label', label],
      io,
    ),
    0,
    out,
  )
  assert.not.ok(out.includes('\u001b'), out)
  assert.not.ok(
    out.split('\n').some((l) => l.startsWith('::')),
    out,
  )
})

test('names and response text reach the terminal escaped: no raw escapes, no line starting with ::', async () => {
  const name = 'two\nlines \u001b[31mred ::error::x'
  const dir = project({
    's.scenario.ts': failingScenario(name).replace(
      'toBe(201)',
      "toBe(201)\n  throw new Error('bad\\n::warning::from a message \\u001b]0;title\\u0007')",
    ),
  })
  const r = await steady(
    ['run', 's.scenario.ts', '--target', url, '--reporter', 'pretty', '--out', 'out', '--iterations', '1'],
    dir,
  )
  assert.is(r.code, 1, r.out + r.err)
  assertTerminalSafe(r.out, 'steady run output')
  assert.match(r.out, '✗ two\\nlines \\e[31mred ::error::x')
  assert.match(r.out, '\\::error title=owned::from the body')
  const gh = await steady(['run', 's.scenario.ts', '--target', url, '--reporter', 'github', '--out', 'gh'], dir)
  assert.is(gh.code, 1)
  const commands = gh.out.split('\n').filter((l) => l.trimStart().startsWith('::'))
  assert.is(commands.length, 1, gh.out)
  assert.ok(commands[0].startsWith('::error file='), commands[0])
  assertTerminalSafe(gh.out.replace(commands[0], ''), 'the github reporter')
  assert.not.match(gh.out, /[\u0000-\u0008\u000b-\u001f]/)
  const missing = await steady(
    ['run', 's.scenario.ts', '--target', url, '--replay', 'out', '--scenario', 'nope\n::error::x\u001b[2J'],
    dir,
  )
  assert.is(missing.code, 2)
  assertTerminalSafe(missing.err, 'the error')
  await steady(['run', 's.scenario.ts', '--target', url, '--reporter', 'json', '--out', 'json'], dir)
  const verdict = await steady(['verdict', 'json/run.json', '--format', 'text'], dir)
  assert.match(verdict.out, 'two\\nlines', verdict.out + verdict.err)
  assertTerminalSafe(verdict.out + verdict.err, 'steady verdict')
})

test('a number that is not finite (1e999) in a run record: validate, baseline add and report exit 2 naming the file and field', async () => {
  const dir = project({ 'p.scenario.ts': failingScenario('fine').replace('toBe(201)', 'toBe(200)') })
  const r = await steady(['run', 'p.scenario.ts', '--target', url, '--reporter', 'json', '--out', 'good'], dir)
  assert.is(r.code, 0, r.out + r.err)
  const text = readFileSync(join(dir, 'good', 'run.json'), 'utf8')
  const record = JSON.parse(text) as { series: { windows: { p95?: number }[] }[] }
  const s = record.series.findIndex((x) => x.windows.some((w) => w.p95 !== undefined))
  assert.ok(s >= 0, 'a series with a p95')
  const w = record.series[s].windows.findIndex((x) => x.p95 !== undefined)
  record.series[s].windows[w].p95 = 123456.789
  mkdirSync(join(dir, 'bad'))
  writeFileSync(join(dir, 'bad', 'run.json'), JSON.stringify(record).replace('123456.789', '1e999'))
  const field = `bad/run.json: series[${s}].windows[${w}].p95 must be a finite number, got Infinity`
  // record validate reads its path as given (relative to the process), so it gets an absolute one.
  const validate = await steady(['record', 'validate', join(dir, 'bad', 'run.json')], dir)
  assert.is(validate.code, 2, validate.out + validate.err)
  assert.match(validate.out + validate.err, field)
  const add = await steady(['baseline', 'add', 'bad/run.json', '--baseline', 'b.json'], dir)
  assert.is(add.code, 2, add.out + add.err)
  assert.match(add.err, field)
  assert.not.ok(existsSync(join(dir, 'b.json')), 'no baseline written')
  const report = await steady(['report', 'bad/run.json', '-o', 'r.html'], dir)
  assert.is(report.code, 2, report.out + report.err)
  assert.match(report.err, field)
  // A baseline with 1e999 in it: refused when added to (exit 2, the field named), inconclusive for a verdict.
  const good = await steady(['baseline', 'add', 'good/run.json', '--baseline', 'base.json'], dir)
  assert.is(good.code, 0, good.out + good.err)
  const base = readFileSync(join(dir, 'base.json'), 'utf8')
  writeFileSync(join(dir, 'base.json'), base.replace(/"durationMs":\s*[\d.]+/, '"durationMs": 1e999'))
  const onBad = await steady(['baseline', 'add', 'good/run.json', '--baseline', 'base.json'], dir)
  assert.is(onBad.code, 2, onBad.out + onBad.err)
  assert.match(onBad.err, /base\.json: runs\[.+\]\.summary\.durationMs must be a finite number, got Infinity/)
  const verdict = await steady(['verdict', 'good/run.json', '--baseline', 'base.json'], dir)
  assert.is(verdict.code, 3, verdict.out + verdict.err)
  // The duration at the top is checked as well.
  writeFileSync(join(dir, 'bad', 'run.json'), text.replace(/"durationMs":\s*[\d.]+/, '"durationMs": -1e999'))
  const top = await steady(['record', 'validate', join(dir, 'bad', 'run.json')], dir)
  assert.is(top.code, 2)
  assert.match(top.out + top.err, 'bad/run.json: durationMs must be a finite number, got -Infinity')
})

test('junit: message= is a one-line summary with the detail, the failure body keeps the whole message, escaped', async () => {
  const dir = project({
    'j.scenario.ts': failingScenario('multi').replace(
      'toBe(201)',
      "toBe(200)\n  throw new Error('order total is wrong\\nexpected 30, got 31 for order o-7\\n\\u001b[31mred\\u0007')",
    ),
  })
  const r = await steady(
    ['run', 'j.scenario.ts', '--target', url, '--reporter', 'junit', '--out', 'out', '--iterations', '2'],
    dir,
  )
  assert.is(r.code, 1, r.out + r.err)
  const xml = readFileSync(join(dir, 'out', 'junit.xml'), 'utf8')
  const message = /<failure message="([^"]*)"/.exec(xml)?.[1] ?? ''
  assert.match(
    message,
    'order total is wrong · expected 30, got 31 for order o-7 · \\e[31mred\\x07 (2 of 2 iterations failed)',
  )
  const body = /<failure [^>]*>([^<]*)<\/failure>/.exec(xml)?.[1] ?? ''
  assert.match(body, 'order total is wrong\nexpected 30, got 31 for order o-7\n\\e[31mred\\x07')
  assert.not.match(xml, /[\u0000-\u0008\u000b-\u001f]/)
})

test('--reporter junit,github still writes run.json; --replay without --target runs against the recorded target and says so', async () => {
  // The config's default target is somewhere else: the replay must not go there.
  const other = createServer((_req, res) => res.writeHead(500).end('wrong target'))
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r))
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`
  try {
    const dir = project({
      'steady.config.ts': `export default { scenarios: ['s.scenario.ts'], targets: { other: ${JSON.stringify(otherUrl)} }, defaultTarget: 'other' }\n`,
      's.scenario.ts': failingScenario('replayed'),
    })
    const summary = join(dir, 'summary.md')
    const r = await steady(['run', '--target', url, '--reporter', 'junit,github', '--out', 'out'], dir, {
      GITHUB_STEP_SUMMARY: summary,
    })
    assert.is(r.code, 1, r.out + r.err)
    assert.ok(existsSync(join(dir, 'out', 'run.json')), 'run.json written')
    assert.ok(existsSync(join(dir, 'out', 'junit.xml')), 'junit.xml written')
    const line = readFileSync(summary, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('steady run --replay'))
    assert.ok(line, 'the summary has a replay line')
    const replay = await steady(wordsBashRuns(line, dir), dir)
    assert.is(replay.code, 1, replay.out + replay.err)
    assert.match(replay.out, `against the recorded run's target ${url}`)
    assert.match(replay.out, '← 200')
    assert.not.match(replay.out, 'wrong target')
  } finally {
    await new Promise<void>((r) => other.close(() => r()))
  }
})

test('--replay of a run made with --env goes to an environment of that name, and says so', async () => {
  const dir = project({
    'steady.config.ts': `export default { scenarios: ['s.scenario.ts'], environments: { svc: { provider: 'url', url: ${JSON.stringify(url)} } } }\n`,
    's.scenario.ts': failingScenario('in an env'),
  })
  const r = await steady(['run', '--env', 'svc', '--reporter', 'json', '--out', 'out'], dir)
  assert.is(r.code, 1, r.out + r.err)
  const replay = await steady(['run', '--replay', 'out/run.json'], dir)
  assert.is(replay.code, 1, replay.out + replay.err)
  assert.match(replay.out, 'replaying against a fresh svc environment, as the recorded run did')
  assert.match(replay.out, `→ GET ${url}/x`)
})

test('config numbers: run.iterations 1e999 or 0 in steady.config.ts is exit 2 naming the file and field', async () => {
  for (const [value, shown] of [
    ['1e999', 'Infinity'],
    ['0', '0'],
    ['2.5', '2.5'],
  ]) {
    const dir = project({
      'steady.config.ts': `export default { scenarios: ['p.scenario.ts'], run: { iterations: ${value} } }\n`,
      'p.scenario.ts': failingScenario('p'),
    })
    const r = await steady(['run', '--target', url, '--reporter', 'json', '--out', 'out'], dir)
    assert.is(r.code, 2, r.out + r.err)
    assert.match(
      r.err,
      `${join(dir, 'steady.config.ts')}: run.iterations must be a whole number of at least 1, got ${shown}`,
    )
  }
})

test('the printed curl sends a masked header from a shell variable: with it set the server gets the secret', async () => {
  if (spawnSync('curl', ['--version']).status !== 0) {
    if (process.env.CI === 'true') throw new Error('curl is missing: apt-get install -y curl')
    console.log('[note] curl is missing: the printed curl command was not run (apt-get install -y curl)')
    return
  }
  const secret = 'Bearer s3cr3t-token-0123456789'
  const seen: (string | undefined)[] = []
  const api = createServer((req, res) => {
    seen.push(req.headers.authorization)
    assert.is(req.url, '/me?api_key=k-query-secret-1')
    res.writeHead(req.headers.authorization === secret ? 200 : 401).end()
  })
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r))
  const target = `http://127.0.0.1:${(api.address() as AddressInfo).port}`
  try {
    const dir = project({
      'a.scenario.ts': `import { scenario, expect } from '@steady/scenario'
export default scenario('auth', async ({ http }) => {
  const r = await http.get('/me?api_key=k-query-secret-1', { headers: { authorization: ${JSON.stringify(secret)} } })
  expect(r.status).toBe(201)
})
`,
    })
    const r = await steady(
      ['run', 'a.scenario.ts', '--target', target, '--reporter', 'pretty,json', '--out', 'out'],
      dir,
    )
    assert.is(r.code, 1, r.out + r.err)
    assert.not.match(r.out, 's3cr3t')
    assert.not.match(readFileSync(join(dir, 'out', 'run.json'), 'utf8'), 's3cr3t')
    const lines = r.out.split('\n').map((l) => l.trim())
    const curl = lines.find((l) => l.startsWith('curl '))
    assert.ok(curl, r.out)
    assert.ok(lines.includes("# set STEADY_AUTHORIZATION to the authorization header's value"), r.out)
    assert.not.match(r.out, 'k-query-secret-1')
    assert.ok(lines.includes('# replace each [REDACTED] (a value masked in the URL or body) before running'), r.out)
    const run = (env: NodeJS.ProcessEnv) =>
      new Promise<string>((done) => {
        // What the comment above the command asks for: the masked query value put back.
        const child = spawn('bash', ['-c', curl.replace('[REDACTED]', 'k-query-secret-1')], {
          env: { PATH: process.env.PATH, ...env },
          timeout: 10_000,
        })
        let out = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.on('close', () => done(out))
      })
    assert.match(await run({ STEADY_AUTHORIZATION: secret }), 'HTTP/1.1 200')
    assert.match(await run({}), 'HTTP/1.1 401')
    assert.equal(seen, [secret, secret, undefined])
  } finally {
    await new Promise<void>((r) => api.close(() => r()))
  }
})

test.run()
