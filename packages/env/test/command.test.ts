/**
 * The command provider with real shell commands: `up` starts a real server in
 * the background and writes its pid file, `down` kills it. Values reach the
 * commands only through environment variables: a branch full of `$(...)` and
 * backticks runs nothing.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:http'
import { startEnvironment, withEnvironment, type CommandEnvironmentConfig } from '@steady/env'
import { alive, killGroup, portFree, portOf, rejection, service, tempProject, waitFor } from './helpers.ts'

/** up: a node server in the background (pid file); down: kill it and wait until it is gone. */
function serverConfig(project: string, extra: Partial<CommandEnvironmentConfig> = {}): CommandEnvironmentConfig {
  return {
    provider: 'command',
    env: { FIXTURE: service, PIDFILE: join(project, 'server.pid') },
    up: 'node "$FIXTURE" > "$STEADY_LOG_DIR/server.out" 2>&1 &\necho $! > "$PIDFILE"\necho "started $STEADY_ENV_ID"',
    urlCommand:
      'for i in $(seq 200); do grep -o "http://[0-9.:]*" "$STEADY_LOG_DIR/server.out" && exit 0; sleep 0.05; done; exit 1',
    down: 'pid=$(cat "$PIDFILE") && kill "$pid" && while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; echo "down $STEADY_ENV_ID at $STEADY_URL"',
    readiness: { path: '/health', timeout: '10s' },
    ...extra,
  }
}

test('up starts a real server, urlCommand finds its URL, down stops it', async () => {
  const project = tempProject()
  let pid: number | undefined
  try {
    const result = await withEnvironment(
      { name: 'preview', projectDir: project.dir, branch: 'main', config: { preview: serverConfig(project.dir) } },
      async (env) => {
        pid = Number(readFileSync(join(project.dir, 'server.pid'), 'utf8'))
        assert.ok(alive(pid))
        assert.equal(env.provider, 'command')
        assert.equal(await (await fetch(`${env.url}/health`)).text(), 'ok')
        return env
      },
    )
    assert.not.ok(alive(pid!), 'down stopped the server')
    assert.ok(await portFree(portOf(result.url)))
    assert.equal(result.services, [])
  } finally {
    killGroup(pid)
    project.cleanup()
  }
})

test('a branch and tags full of shell syntax reach the commands as data; nothing in them runs', async () => {
  const project = tempProject()
  const marks = [1, 2, 3, 4].map((i) => join(project.dir, `pwned-${i}`))
  const branch = `feat/$(touch ${marks[0]})\`touch ${marks[1]}\`;touch ${marks[2]}`
  const tagValue = `'; touch ${marks[3]}; echo '`
  let pid: number | undefined
  const port = await new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => r(p))
    })
  })
  try {
    await withEnvironment(
      {
        name: 'preview',
        projectDir: project.dir,
        outDir: join(project.dir, 'out'),
        branch,
        tags: { note: tagValue, port: String(port) },
        config: {
          preview: serverConfig(project.dir, {
            up: 'printf "%s" "$STEADY_BRANCH" > "$STEADY_LOG_DIR/branch.txt"\nprintf "%s" "$STEADY_TAG_NOTE" > "$STEADY_LOG_DIR/tag.txt"\nPORT="$STEADY_TAG_PORT" node "$FIXTURE" > "$STEADY_LOG_DIR/server.out" 2>&1 &\necho $! > "$PIDFILE"',
            urlCommand: undefined,
            url: 'http://127.0.0.1:{tag.port}',
            urls: { branchPage: 'http://127.0.0.1:{tag.port}/b/{branch}' },
          }),
        },
      },
      async (env) => {
        pid = Number(readFileSync(join(project.dir, 'server.pid'), 'utf8'))
        assert.equal(env.url, `http://127.0.0.1:${port}`)
        assert.equal(env.urls.branchPage, `http://127.0.0.1:${port}/b/${encodeURIComponent(branch)}`)
        assert.match(env.id, /^feat-touch-.*-[0-9a-f]{4}$/)
        assert.ok(env.id.length <= 53)
      },
    )
    const logDir = join(project.dir, 'out', 'env')
    assert.equal(readFileSync(join(logDir, 'branch.txt'), 'utf8'), branch)
    assert.equal(readFileSync(join(logDir, 'tag.txt'), 'utf8'), tagValue)
    for (const m of marks) assert.not.ok(existsSync(m), `${m} exists: a value was executed`)
    assert.not.ok(alive(pid!))
  } finally {
    killGroup(pid)
    for (const m of marks) rmSync(m, { force: true })
    project.cleanup()
  }
})

test('up fails: exit 2 with its output, and down still runs', async () => {
  const project = tempProject()
  const mark = join(project.dir, 'down-ran')
  const error = await rejection(() =>
    startEnvironment({
      name: 'broken',
      projectDir: project.dir,
      branch: 'main',
      config: {
        broken: {
          provider: 'command',
          env: { MARK: mark },
          up: 'echo "creating $STEADY_ENV_ID"; echo "quota exceeded" >&2; exit 7',
          down: 'echo "$STEADY_ENV_ID" > "$MARK"',
          url: 'http://{id}.example.test',
        },
      },
    }),
  )
  try {
    assert.equal(error.code, 'STEADY_ENV_COMMAND_FAILED')
    assert.equal(error.exitCode, 2)
    assert.match(error.message, /environment "broken": up exited with code 7/)
    assert.match(error.message, /creating main-[0-9a-f]{4}\nquota exceeded/)
    assert.match(readFileSync(mark, 'utf8'), /^main-[0-9a-f]{4}\n$/)
  } finally {
    project.cleanup()
  }
})

test('an abort while up runs stops it (its whole process group) and runs down', async () => {
  const project = tempProject()
  const mark = join(project.dir, 'down-ran')
  const pidfile = join(project.dir, 'sleep.pid')
  const controller = new AbortController()
  const started = startEnvironment({
    name: 'slow',
    projectDir: project.dir,
    branch: 'main',
    signal: controller.signal,
    config: {
      slow: {
        provider: 'command',
        env: { MARK: mark, PIDFILE: pidfile },
        up: 'sleep 30 & echo $! > "$PIDFILE"; wait',
        down: 'touch "$MARK"',
        url: 'http://127.0.0.1:1',
      },
    },
  })
  let sleeper: number | undefined
  try {
    await waitFor('the up command to start', () => existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim() !== '')
    sleeper = Number(readFileSync(pidfile, 'utf8'))
    controller.abort('SIGTERM')
    const error = await rejection(() => started)
    assert.equal(error.code, 'STEADY_INTERRUPTED')
    assert.equal(error.exitCode, 143)
    assert.not.ok(alive(sleeper), 'the command started by up was stopped')
    assert.ok(existsSync(mark), 'down ran')
  } finally {
    killGroup(sleeper)
    project.cleanup()
  }
})

test('a url template naming a tag that was not given is refused before up runs (nothing to tear down)', async () => {
  const project = tempProject()
  try {
    for (const [tag, url, urls] of [
      ['port', 'http://127.0.0.1:{tag.port}', {}],
      // `constructor` is on every object's prototype: it must still count as not given.
      ['constructor', 'http://127.0.0.1:1', { admin: 'http://127.0.0.1:1/{tag.constructor}' }],
    ] as const) {
      const config: CommandEnvironmentConfig = {
        provider: 'command',
        up: 'touch "$MARKS/up-ran"',
        down: 'touch "$MARKS/down-ran"',
        env: { MARKS: project.dir },
        url,
        urls,
      }
      const error = await rejection(() =>
        startEnvironment({
          name: 'preview',
          projectDir: project.dir,
          branch: 'main',
          tags: { team: 'a' },
          config: { preview: config },
        }),
      )
      assert.equal(error.code, 'STEADY_ENV_TAG_MISSING')
      assert.match(error.message, `no tag "${tag}" was given`)
      assert.match(error.message, tag === 'port' ? 'environments.preview.url' : 'environments.preview.urls.admin')
      assert.not.ok(existsSync(join(project.dir, 'up-ran')), 'up did not run')
      assert.not.ok(existsSync(join(project.dir, 'down-ran')), 'down did not run')
    }
    // The same template with the tag given expands as before.
    const handle = await startEnvironment({
      name: 'preview',
      projectDir: project.dir,
      branch: 'main',
      tags: { constructor: 'c' },
      config: { preview: { provider: 'url', url: 'http://127.0.0.1:1/{tag.constructor}' } },
    })
    assert.equal(handle.env.url, 'http://127.0.0.1:1/c')
    await handle.down()
  } finally {
    project.cleanup()
  }
})

test('the url provider points at an existing environment and checks it answers', async () => {
  const server = createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end())
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const project = tempProject()
  try {
    const env = await withEnvironment(
      {
        name: 'staging',
        projectDir: project.dir,
        branch: 'main',
        id: 'staging-check',
        config: { staging: { provider: 'url', url: `http://127.0.0.1:${port}/`, readiness: { path: '/health' } } },
      },
      async (env) => env,
    )
    assert.equal(env.url, `http://127.0.0.1:${port}`)
    assert.equal(env.id, 'staging-check')
    const error = await rejection(() =>
      startEnvironment({
        name: 'staging',
        projectDir: project.dir,
        branch: 'main',
        config: {
          staging: {
            provider: 'url',
            url: `http://127.0.0.1:${port}`,
            readiness: { path: '/missing', timeout: '300ms' },
          },
        },
      }),
    )
    assert.equal(error.code, 'STEADY_ENV_NOT_READY')
    assert.match(
      error.message,
      /GET http:\/\/127\.0\.0\.1:\d+\/missing answering 2xx did not pass within 300ms \(last: HTTP 404\)/,
    )
  } finally {
    server.close()
    project.cleanup()
  }
})

test.run()
