/**
 * The process provider against real child processes: ports (auto, read from
 * the output, fixed), readiness, dependsOn order, the environment services
 * see, their data folders and logs, and a teardown that leaves nothing behind.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync } from 'node:fs'
import { join } from 'node:path'
import { startEnvironment, withEnvironment, listEnvironments, type RunningEnvironment } from '@steady/env'
import { alive, killGroup, portFree, portOf, rejection, service, tempProject } from './helpers.ts'

const node = process.execPath

test('brings services up in dependsOn order, passes ports, ids and URLs, and leaves nothing behind', async () => {
  const project = tempProject()
  const out = join(project.dir, 'run-1')
  let seen: RunningEnvironment | undefined
  let apiEnv: { env: Record<string, string>; argv: string[]; dataDirExists: boolean; grandchild: number } | undefined
  try {
    await withEnvironment(
      {
        name: 'local',
        projectDir: project.dir,
        outDir: out,
        branch: 'feature/Login-Page',
        tags: { team: 'checkout', 'build.number': '42' },
        config: {
          local: {
            services: {
              // declared before its dependency: dependsOn decides the order
              api: {
                command: node,
                args: [service, '--db', '{port}'],
                port: 0,
                dependsOn: ['db'],
                env: { FIXTURE_CHILD: '1', X_DATA: '{dataDir}' },
                readiness: { path: '/health', timeout: '10s' },
              },
              db: { command: node, args: [service], port: 'auto' },
            },
          },
        },
      },
      async (env) => {
        seen = env
        apiEnv = (await (await fetch(`${env.url}/env`)).json()) as typeof apiEnv
        assert.ok(env.services.every((s) => alive(s.pid)))
        assert.ok(alive(apiEnv!.grandchild), 'the grandchild runs')
        const listed = await listEnvironments({ projectDir: project.dir })
        assert.equal(
          listed.environments.map((e) => [e.id, e.status, e.running]),
          [[env.id, 'up', true]],
        )
      },
    )
    const env = seen!
    assert.match(env.id, /^feature-login-page-[0-9a-f]{4}$/)
    assert.equal(
      env.services.map((s) => s.name),
      ['db', 'api'],
    )
    assert.equal(env.url, env.urls.api)
    assert.equal(Object.keys(env.urls), ['db', 'api'])
    assert.equal(env.tags, { team: 'checkout', 'build.number': '42' })
    const api = env.services[1]
    assert.equal(api.pgid, api.pid)
    assert.match(api.startTime, /^\d{4}-\d\d-\d\dT/)
    assert.equal(api.logFile, join(out, 'env', 'api.log'))
    // what the service saw
    const e = apiEnv!.env
    assert.equal(e.STEADY_ENV_ID, env.id)
    assert.equal(e.STEADY_BRANCH, 'feature/Login-Page')
    assert.equal(e.STEADY_TAG_TEAM, 'checkout')
    assert.equal(e.STEADY_TAG_BUILD_NUMBER, '42')
    assert.equal(e.STEADY_URL_DB, env.urls.db)
    assert.equal(e.PORT, '0')
    assert.equal(apiEnv!.argv, ['--db', '0'])
    assert.equal(e.X_DATA, api.dataDir)
    assert.ok(apiEnv!.dataDirExists)
    // after: processes, grandchild, ports, data folders and state are gone; logs stay with the run
    for (const s of env.services) {
      assert.not.ok(alive(s.pid), `${s.name} (pid ${s.pid}) still runs`)
      assert.ok(await portFree(portOf(s.url!)), `${s.name}'s port is still taken`)
      assert.not.ok(existsSync(s.dataDir), `${s.name}'s data folder is left`)
    }
    assert.not.ok(alive(apiEnv!.grandchild), 'the grandchild still runs')
    assert.match(readFileSync(api.logFile, 'utf8'), /api listening on http:\/\/127\.0\.0\.1:\d+/)
    assert.match(readFileSync(api.logFile, 'utf8'), /SIGTERM, closing/)
    assert.equal((await listEnvironments({ projectDir: project.dir })).environments, [])
  } finally {
    for (const s of seen?.services ?? []) killGroup(s.pid)
    project.cleanup()
  }
})

test('a service that ignores SIGTERM is killed after its grace period', async () => {
  const project = tempProject()
  const lines: string[] = []
  const handle = await startEnvironment({
    log: (l) => lines.push(l),
    name: 'stubborn',
    projectDir: project.dir,
    branch: 'main',
    config: {
      stubborn: {
        services: {
          api: {
            command: node,
            args: [service],
            port: 'auto',
            env: { FIXTURE_IGNORE_TERM: '1' },
            stopGracePeriod: '300ms',
          },
        },
      },
    },
  })
  const [api] = handle.env.services
  try {
    assert.ok(alive(api.pid))
    await handle.down()
    assert.not.ok(alive(api.pid))
    assert.ok(
      lines.some((l) => l.includes('api: did not stop within 300ms of SIGTERM; killed')),
      lines.join('\n'),
    )
    assert.ok(await portFree(portOf(api.url!)))
    assert.not.ok(
      existsSync(join(project.dir, '.steady', 'envs', `${handle.env.id}.json`)),
      'the state file is removed',
    )
  } finally {
    killGroup(api.pid)
    project.cleanup()
  }
})

test('a worker without a port counts as started; the main URL is the last service with a port', async () => {
  const project = tempProject()
  const handle = await startEnvironment({
    name: 'w',
    projectDir: project.dir,
    branch: 'main',
    config: {
      w: {
        services: {
          web: { command: node, args: [service], port: 'auto' },
          worker: { command: node, args: ['-e', 'setInterval(() => {}, 1000)'], dependsOn: ['web'] },
        },
      },
    },
  })
  try {
    assert.equal(handle.env.url, handle.env.urls.web)
    assert.equal(
      handle.env.services.map((s) => [s.name, s.url === undefined]),
      [
        ['web', false],
        ['worker', true],
      ],
    )
  } finally {
    await handle.down()
    for (const s of handle.env.services) assert.not.ok(alive(s.pid))
    project.cleanup()
  }
})

test('a custom urlPattern reads the URL from a named group', async () => {
  const project = tempProject()
  const handle = await startEnvironment({
    name: 'p',
    projectDir: project.dir,
    branch: 'main',
    config: {
      p: { services: { api: { command: node, args: [service], port: 0, urlPattern: /api listening on (?<url>\S+)/ } } },
    },
  })
  try {
    assert.match(handle.env.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(await (await fetch(handle.env.url)).text(), 'hello from api')
  } finally {
    await handle.down()
    project.cleanup()
  }
})

test('an exception in the callback: the same error comes back and the teardown still leaves nothing behind', async () => {
  const project = tempProject()
  const thrown = new Error('the run blew up')
  let seen: RunningEnvironment | undefined
  let grandchild: number | undefined
  try {
    const error = await rejection(() =>
      withEnvironment(
        {
          name: 'local',
          projectDir: project.dir,
          branch: 'main',
          config: {
            local: { services: { api: { command: node, args: [service], port: 'auto', env: { FIXTURE_CHILD: '1' } } } },
          },
        },
        async (env) => {
          seen = env
          grandchild = ((await (await fetch(`${env.url}/env`)).json()) as { grandchild: number }).grandchild
          assert.ok(alive(env.services[0].pid), 'the service runs')
          assert.ok(alive(grandchild), 'the grandchild runs')
          assert.not.ok(await portFree(portOf(env.url)), 'the port is taken while it runs')
          assert.equal(
            readdirSync(join(project.dir, '.steady', 'envs')).filter((f) => f.endsWith('.json')),
            [`${env.id}.json`],
          )
          throw thrown
        },
      ),
    )
    assert.is(error, thrown, `a different error came back: ${error.message}`)
    const [api] = seen!.services
    assert.not.ok(alive(api.pid), `the service (pid ${api.pid}) still runs`)
    assert.not.ok(alive(grandchild!), `the grandchild (pid ${grandchild}) still runs`)
    assert.ok(await portFree(portOf(api.url!)), 'the port is still taken')
    assert.not.ok(existsSync(api.dataDir), 'the data folder is left')
    const envs = join(project.dir, '.steady', 'envs')
    assert.equal(
      existsSync(envs) ? readdirSync(envs).filter((f) => f.endsWith('.json')) : [],
      [],
      'a state file is left',
    )
    assert.equal((await listEnvironments({ projectDir: project.dir })).environments, [])
  } finally {
    for (const s of seen?.services ?? []) killGroup(s.pid)
    killGroup(grandchild)
    project.cleanup()
  }
})

test('cwd: the service runs in the folder given relative to the project root', async () => {
  const project = tempProject()
  mkdirSync(join(project.dir, 'sub'))
  const handle = await startEnvironment({
    name: 'c',
    projectDir: project.dir,
    branch: 'main',
    config: { c: { services: { api: { command: node, args: [service], port: 'auto', cwd: 'sub' } } } },
  })
  try {
    const reported = ((await (await fetch(`${handle.env.url}/env`)).json()) as { cwd: string }).cwd
    assert.equal(reported, realpathSync(join(project.dir, 'sub')))
  } finally {
    await handle.down()
    for (const s of handle.env.services) assert.not.ok(alive(s.pid))
    project.cleanup()
  }
})

test("port 'auto' with {port} in args and an explicit readiness: { tcp: true }", async () => {
  const project = tempProject()
  const lines: string[] = []
  const handle = await startEnvironment({
    log: (l) => lines.push(l),
    name: 't',
    projectDir: project.dir,
    branch: 'main',
    config: {
      t: {
        services: {
          api: {
            command: node,
            args: [service, '--listen', '{port}'],
            port: 'auto',
            readiness: { tcp: true, timeout: '10s' },
          },
        },
      },
    },
  })
  const [api] = handle.env.services
  try {
    const port = portOf(handle.env.url)
    assert.ok(port > 0)
    const seen = (await (await fetch(`${handle.env.url}/env`)).json()) as {
      env: Record<string, string>
      argv: string[]
    }
    assert.equal(seen.argv, ['--listen', String(port)], 'the picked port replaced {port}')
    assert.equal(seen.env.PORT, String(port))
    assert.ok(lines.includes(`  api: ready at http://127.0.0.1:${port}`), lines.join('\n'))
  } finally {
    await handle.down()
    assert.not.ok(alive(api.pid))
    assert.ok(await portFree(portOf(api.url!)))
    project.cleanup()
  }
})

test.run()
