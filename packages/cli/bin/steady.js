#!/usr/bin/env node
// The `steady` binary. Installed from a package it runs the built JS; inside
// the steady monorepo (no dist/), it re-runs itself on the TypeScript sources.
import { existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'

const built = new URL('../dist/bin.js', import.meta.url)
if (existsSync(fileURLToPath(built))) {
  await import(built.href)
} else {
  const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
  // tsx is resolved from here, not from the working directory, so `steady` runs from any folder.
  const tsx = import.meta.resolve('tsx')
  const child = spawn(
    process.execPath,
    ['--conditions=steady-source', '--import', tsx, source, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  )
  // The child gets the terminal's Ctrl-C itself; a SIGINT or SIGTERM sent to
  // this wrapper alone is passed on so the child can write its partial record
  // and tear down.
  const forwarded = new Set()
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      forwarded.add(sig)
      child.kill(sig)
    })
  }
  child.on('error', (error) => {
    process.stderr.write(`steady: could not start the steady process: ${error.message}\n`)
    process.exitCode = 2
  })
  child.on('exit', (code, signal) => {
    if (signal === null) {
      process.exitCode = code ?? 1
      return
    }
    // A killed child is a crash, not a verdict: exit as a shell reports a
    // signal (128 + its number), never 1 ("the gate failed"), and say so.
    if (!forwarded.has(signal)) {
      const why = signal === 'SIGKILL' ? ' (out of memory?)' : ''
      process.stderr.write(`steady: the steady process was killed by ${signal}${why}\n`)
    }
    process.exitCode = 128 + (constants.signals[signal] ?? 0)
  })
}
