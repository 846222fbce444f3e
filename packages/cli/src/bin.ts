import { main } from './main.ts'

const code = await main(process.argv.slice(2))
process.exitCode = code
// A scenario that leaves a timer or socket open must not keep the CLI alive after it has answered.
setTimeout(() => process.exit(code), 1000).unref()
