/**
 * When a stopped service counts as gone: only when every thread of it has
 * exited. A killed multi-threaded service can show its main thread as a zombie
 * while another thread still holds its files (its listening socket); a stop
 * that returned then would say the port is free while it is not.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { groupRunning, stopGroup } from '../src/kill.ts'
import { processStart, readStat } from '../src/proc.ts'
import { killGroup, portFree, waitFor } from './helpers.ts'

// Listens on a port from a second thread, then ends its main thread alone (pthread_exit): the main
// thread is a zombie, the process and its socket live on in the other thread.
const mainThreadExits = `
import ctypes, socket, sys, threading, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
print(s.getsockname()[1], flush=True)
threading.Thread(target=lambda: time.sleep(60), daemon=False).start()
ctypes.CDLL(None).pthread_exit(None)
`

test('a process whose main thread exited while another thread holds its port runs until that thread exits', async () => {
  if (spawnSync('python3', ['--version']).status !== 0) {
    if (process.env.CI === 'true') throw new Error('python3 is missing: apt-get install -y python3')
    console.log('[note] python3 is missing: the exited-main-thread case was not run (apt-get install -y python3)')
    return
  }
  const child = spawn('python3', ['-c', mainThreadExits], { stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  const pid = child.pid!
  try {
    const { value: line } = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()
    const port = Number(line)
    assert.ok(port > 0, `the helper printed its port: ${String(line)}`)
    await waitFor('the main thread to exit', () => readStat(pid)?.state === 'Z')
    const start = processStart(pid)
    assert.ok(start, 'a zombie main thread with a live thread is a running process')
    assert.not.ok(await portFree(port), 'the live thread still holds the port')
    const leader = { pid, pgid: pid, startToken: start!.token }
    assert.ok(groupRunning(leader))
    // SIGTERM's default action ends every thread; the stop returns only once they have all exited.
    assert.is(await stopGroup(leader, 5000), 'terminated')
    assert.not.ok(groupRunning(leader))
    assert.ok(await portFree(port), 'the port is free when the stop returns')
  } finally {
    killGroup(pid)
  }
})

test.run()
