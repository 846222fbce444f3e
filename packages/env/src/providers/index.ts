import type { EnvironmentProvider } from '../types.ts'
import { processProvider } from './process.ts'
import { commandProvider } from './command.ts'
import { urlProvider } from './url.ts'

/** The built-in providers, by their `provider:` name. */
export const builtinProviders: Readonly<Record<string, EnvironmentProvider>> = {
  process: processProvider as EnvironmentProvider,
  command: commandProvider as EnvironmentProvider,
  url: urlProvider as EnvironmentProvider,
}
