import { main } from './main.ts'

/**
 * A reader that goes away (`steady soak --help | head -1`) closes stdout: the
 * process ends at once and quietly, as git does, with 141 (128 + SIGPIPE) and
 * no stack trace. Not 0: under `set -o pipefail` a verdict whose output was
 * cut off must not read as a pass.
 */
const brokenPipeExit = 141
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(brokenPipeExit)
    throw error
  })
}

const code = await main(process.argv.slice(2))
process.exitCode = code
// A scenario that leaves a timer or socket open must not keep the CLI alive after it has answered.
setTimeout(() => process.exit(code), 1000).unref()
