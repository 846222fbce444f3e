/**
 * @steady/cli: the `steady` command, and `defineConfig` for `steady.config.ts`.
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
export { defineConfig, loadConfig } from './config.ts'
/** @public */
export type { SteadyConfig, LoadedConfig } from './config.ts'
export { main, createProgram } from './main.ts'
export { loadCommands } from './commands/index.ts'
/** @public */
export type { RegisterCommand } from './commands/index.ts'
/** @public */
export type { MainOptions } from './main.ts'
export type { CliContext } from './context.ts'
