/**
 * What goes wrong, said plainly: a service that is not ready (exit 2, naming
 * the service, the check and the timeout, with the last 50 lines of its log,
 * and the services already started torn down), and bad config (unknown
 * provider, missing command, a taken port, a dependsOn cycle or unknown name),
 * each naming the environment, the service and the field.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createServer, type Server } from 'node:net'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startEnvironment, listEnvironments, type StartOptions } from '@steady/env'
import { alive, rejection, service, tempProject } from './helpers.ts'

const node = process.execPath

/** Starts an environment that must fail; returns the error and the log lines (which name the PIDs started). */
async function failing(config: StartOptions['config'], name = 'local', prepare?: (projectDir: string) => void) {
  const project = tempProject()
  const lines: string[] = []
  try {
    prepare?.(project.dir)
    const error = await rejection(() =>
      startEnvironment({ name, projectDir: project.dir, branch: 'main', config, log: (l) => lines.push(l) }),
    )
    const pids = [...lines.join('\n').matchAll(/started \(pid (\d+)\)/g)].map((m) => Number(m[1]))
    const state = existsSync(join(project.dir, '.steady', 'envs'))
      ? readdirSync(join(project.dir, '.steady', 'envs')).filter((f) => f.endsWith('.json'))
      : []
    const listed = await listEnvironments({ projectDir: project.dir })
    return { error, lines, pids, state, listed: listed.environments, projectDir: project.dir }
  } finally {
    project.cleanup()
  }
}

test('readiness failure: names the service, the check and the timeout, shows the last 50 lines, tears down what started', async () => {
  const { error, pids, state } = await failing({
    local: {
      services: {
        db: { command: node, args: [service], port: 'auto' },
        api: {
          command: node,
          args: [service],
          port: 'auto',
          dependsOn: ['db'],
          env: { FIXTURE_HEALTH: '503' },
          readiness: { path: '/health', timeout: '600ms' },
        },
      },
    },
  })
  assert.equal(error.code, 'STEADY_ENV_NOT_READY')
  assert.equal(error.exitCode, 2)
  const first = error.message.split('\n')[0]
  assert.match(
    first,
    /environment "local": service "api" was not ready: GET http:\/\/127\.0\.0\.1:\d+\/health answering 2xx did not pass within 600ms \(last: HTTP 503\)/,
  )
  assert.match(error.message, /last 50 lines of .*api\.log:\napi listening on/)
  assert.equal(pids.length, 2, 'both services were started')
  for (const pid of pids) assert.not.ok(alive(pid), `pid ${pid} survived the failed start`)
  assert.equal(state, [], 'no state file is left')
})

test('a service that exits before it is ready: its exit code and exactly the last 50 lines of its log', async () => {
  const { error, pids } = await failing({
    local: {
      services: {
        api: { command: node, args: [service], port: 0, env: { FIXTURE_EXIT: '3' }, readiness: { timeout: '20s' } },
      },
    },
  })
  assert.equal(error.code, 'STEADY_ENV_NOT_READY')
  assert.equal(error.exitCode, 2)
  assert.match(error.message, /service "api" exited \(exit code 3\) before printing its URL .* passed \(timeout 20s\)/)
  const tail = error.message.split('\n').slice(2)
  assert.equal(tail.length, 50)
  assert.equal(tail[0], 'api boot line 12') // 60 boot lines + 1 fatal line: the last 50 start at 12
  assert.equal(tail[49], 'api: fatal: cannot open database')
  for (const pid of pids) assert.not.ok(alive(pid))
})

test('a service that never prints its URL fails after the readiness timeout', async () => {
  const { error, pids } = await failing({
    local: {
      services: {
        api: { command: node, args: [service], port: 0, env: { FIXTURE_NO_URL: '1' }, readiness: { timeout: '500ms' } },
      },
    },
  })
  assert.equal(error.code, 'STEADY_ENV_NOT_READY')
  assert.match(error.message, /service "api" was not ready: printing its URL .* did not pass within 500ms/)
  for (const pid of pids) assert.not.ok(alive(pid))
})

function expectConfigError(
  error: Awaited<ReturnType<typeof rejection>>,
  code: string,
  environment: string,
  service: string | undefined,
  field: string,
  text: RegExp,
) {
  assert.equal(error.code, code, error.message)
  assert.equal(error.exitCode, 2)
  assert.match(error.message, text)
  assert.ok(error.message.includes(`environment "${environment}"`), error.message)
  if (service) assert.ok(error.message.includes(`service "${service}"`), error.message)
  assert.equal(error.facts?.field, field)
  assert.ok(error.hint, 'has a hint')
}

test('bad config: unknown provider', async () => {
  const { error, state } = await failing({ local: { provider: 'kubernetes', services: {} } as never })
  expectConfigError(
    error,
    'STEADY_ENV_CONFIG',
    'local',
    undefined,
    'environments.local.provider',
    /unknown provider "kubernetes"/,
  )
  assert.match(error.hint!, /process, command, url/)
  assert.equal(state, [])
})

test('bad config: missing command', async () => {
  const { error } = await failing({ local: { services: { api: { port: 'auto' } as never } } })
  expectConfigError(
    error,
    'STEADY_ENV_CONFIG',
    'local',
    'api',
    'environments.local.services.api.command',
    /command is missing/,
  )
})

test('bad config: a command that does not exist', async () => {
  const { error, state } = await failing({
    local: { services: { api: { command: 'steady-no-such-binary', port: 'auto' } } },
  })
  expectConfigError(
    error,
    'STEADY_ENV_CONFIG',
    'local',
    'api',
    'environments.local.services.api.command',
    /command "steady-no-such-binary" was not found/,
  )
  assert.equal(state, [])
})

test('bad config: a port that is taken (nothing is started)', async () => {
  const blocker: Server = createServer()
  await new Promise<void>((r) => blocker.listen({ host: '127.0.0.1', port: 0 }, r))
  const taken = (blocker.address() as { port: number }).port
  try {
    const { error, pids } = await failing({
      local: {
        services: {
          db: { command: node, args: [service], port: 'auto' },
          api: { command: node, args: [service], port: taken, dependsOn: ['db'] },
        },
      },
    })
    expectConfigError(
      error,
      'STEADY_ENV_PORT_TAKEN',
      'local',
      'api',
      'environments.local.services.api.port',
      new RegExp(`port ${taken} is already in use`),
    )
    assert.equal(pids, [], 'no service was started')
  } finally {
    blocker.close()
  }
})

test('bad config: a dependsOn cycle, named as a path', async () => {
  const { error } = await failing({
    local: {
      services: {
        web: { command: node, args: [service], port: 'auto', dependsOn: ['api'] },
        api: { command: node, args: [service], port: 'auto', dependsOn: ['db'] },
        db: { command: node, args: [service], port: 'auto', dependsOn: ['web'] },
      },
    },
  })
  expectConfigError(
    error,
    'STEADY_ENV_CONFIG',
    'local',
    'web',
    'environments.local.services.web.dependsOn',
    /dependsOn has a cycle: web → api → db → web/,
  )
})

test('bad config: dependsOn an unknown service', async () => {
  const { error } = await failing({
    local: { services: { api: { command: node, port: 'auto', dependsOn: ['database'] } } },
  })
  expectConfigError(
    error,
    'STEADY_ENV_CONFIG',
    'local',
    'api',
    'environments.local.services.api.dependsOn',
    /dependsOn names "database", which is not a service/,
  )
})

test('bad config: a cwd that does not exist, or is a file (nothing is started)', async () => {
  const missing = await failing({
    local: {
      services: {
        db: { command: node, args: [service], port: 'auto' },
        api: { command: node, args: [service], port: 'auto', cwd: 'no/such/folder', dependsOn: ['db'] },
      },
    },
  })
  expectConfigError(
    missing.error,
    'STEADY_ENV_CONFIG',
    'local',
    'api',
    'environments.local.services.api.cwd',
    /cwd "no\/such\/folder" \(\S+\/no\/such\/folder\) does not exist/,
  )
  assert.ok(missing.error.message.includes(join(missing.projectDir, 'no', 'such', 'folder')), missing.error.message)
  assert.match(missing.error.hint!, /relative to the project root/)
  assert.equal(missing.pids, [], 'no service was started')
  assert.equal(missing.state, [], 'no state file is left')

  const file = await failing(
    { local: { services: { api: { command: node, args: [service], port: 'auto', cwd: 'notes.txt' } } } },
    'local',
    (dir) => writeFileSync(join(dir, 'notes.txt'), 'x'),
  )
  expectConfigError(
    file.error,
    'STEADY_ENV_CONFIG',
    'local',
    'api',
    'environments.local.services.api.cwd',
    /cwd "notes\.txt" \(\S+\/notes\.txt\) is not a folder/,
  )
  assert.equal(file.pids, [])

  const command = await failing(
    { preview: { provider: 'command', up: 'true', down: 'true', url: 'http://127.0.0.1:1', cwd: 'deploy' } },
    'preview',
  )
  expectConfigError(
    command.error,
    'STEADY_ENV_CONFIG',
    'preview',
    undefined,
    'environments.preview.cwd',
    /cwd "deploy" \(\S+\/deploy\) does not exist/,
  )
  assert.equal(command.state, [])
})

test('bad config: typos, bad durations and impossible combinations name their field', async () => {
  const cases: [StartOptions['config'], string, RegExp][] = [
    [
      { local: { services: { api: { command: node, port: 'auto', dependOn: ['x'] } as never } } },
      'environments.local.services.api.dependOn',
      /unknown field dependOn/,
    ],
    [
      { local: { services: { api: { command: node, port: 'auto', readiness: { timeout: '30' } } } } },
      'environments.local.services.api.readiness.timeout',
      /has no unit/,
    ],
    [
      { local: { services: { api: { command: node, port: 70000 } } } },
      'environments.local.services.api.port',
      /port 70000 is not valid/,
    ],
    [
      { local: { services: { api: { command: node, readiness: { path: '/health' } } } } },
      'environments.local.services.api.readiness',
      /readiness needs the service to have a port/,
    ],
    [
      { local: { services: { api: { command: node, port: 'auto', urlPattern: 'x' } } } },
      'environments.local.services.api.urlPattern',
      /only used with port: 0/,
    ],
    [{ local: { services: { api: { command: node } } } }, 'environments.local.services', /no service has a port/],
    [{ local: { services: {} } }, 'environments.local.services', /services is missing or empty/],
    [{ local: { provider: 'command', up: 'true', down: 'true' } as never }, 'environments.local.url', /url is missing/],
    [
      { local: { provider: 'command', down: 'true', url: 'http://x' } as never },
      'environments.local.up',
      /up is missing/,
    ],
    [
      { local: { provider: 'command', up: 'true', down: 'true', url: 'http://{host}' } },
      'environments.local.url',
      /unknown placeholder \{host\}/,
    ],
    [{ local: { provider: 'url', url: 'ftp://x' } }, 'environments.local.url', /not an http\(s\) URL/],
  ]
  for (const [config, field, text] of cases) {
    const { error } = await failing(config)
    assert.equal(error.facts?.field, field, error.message)
    assert.match(error.message, text)
    assert.equal(error.exitCode, 2)
  }
})

test('an unknown environment name lists the known ones', async () => {
  const { error } = await failing({ local: { services: { api: { command: node, port: 'auto' } } } }, 'staging')
  assert.equal(error.code, 'STEADY_ENV_UNKNOWN')
  assert.match(error.hint!, /use one of: local/)
})

test.run()
