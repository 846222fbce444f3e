#!/usr/bin/env node
// The `steady` binary. Installed from a package it runs the built JS; inside
// the steady monorepo (no dist/), it re-runs itself on the TypeScript sources.
import { existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const built = new URL('../dist/bin.js', import.meta.url)
if (existsSync(fileURLToPath(built))) {
  await import(built.href)
} else {
  const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url))
  // tsx is resolved from here, not from the working directory, so `steady` runs from any folder.
  const tsx = import.meta.resolve('tsx')
  const child = spawn(process.execPath, ['--conditions=steady-source', '--import', tsx, source, ...process.argv.slice(2)], {
    stdio: 'inherit',
  })
  // The child gets the terminal's Ctrl-C itself; a SIGTERM sent to this
  // wrapper alone is passed on so the child can tear down.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)
  })
}
