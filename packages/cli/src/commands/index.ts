import type { Command } from 'commander'
import type { CliContext } from '../context.ts'
import { registerInit } from './init.ts'
import { registerRecord } from './record.ts'
import { registerSoak } from './soak.ts'
import { registerEnv } from './env.ts'
import { registerHealth } from './health.ts'
import { registerRun } from './run.ts'
import { registerLoad } from './load.ts'
import { registerExport } from './export.ts'
import { registerReport } from './report.ts'
import { registerVerdict } from './verdict.ts'
import { registerCompare } from './compare.ts'
import { registerBaseline } from './baseline.ts'

/** A command module: adds one top-level command (with its subcommands) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void

/**
 * Every command, in the order `steady --help` lists them. Each lives in its
 * own file; add one line here per command.
 */
export const commands: RegisterCommand[] = [
  registerInit,
  registerRun,
  registerLoad,
  registerExport,
  registerSoak,
  registerVerdict,
  registerCompare,
  registerBaseline,
  registerReport,
  registerRecord,
  registerEnv,
  registerHealth,
]
