/**
 * @steady/env: ephemeral environments. A fresh environment per run, named by
 * an id and tags, always torn down: `process` (local services, the embedded
 * default), `command` (any infrastructure-as-code tool) and `url` (an existing
 * environment).
 */
// Its error codes become valid `SteadyError` codes wherever this entry is imported (also from the built d.ts).
import './errors.ts'
export { startEnvironment, withEnvironment, stopEnvironment, listEnvironments } from './environment.ts'
/** @public */
export type {
  StartOptions,
  WithEnvironmentOptions,
  EnvironmentHandle,
  StopOptions,
  ListedEnvironment,
} from './environment.ts'
/** @public */
export type {
  EnvironmentConfig,
  ProcessEnvironmentConfig,
  CommandEnvironmentConfig,
  UrlEnvironmentConfig,
  ServiceConfig,
  ReadinessConfig,
  RunningEnvironment,
  ServiceInfo,
  EnvironmentProvider,
  ProviderUpContext,
  ProviderUpResult,
  ProviderDownContext,
} from './types.ts'
export { builtinProviders } from './providers/index.ts'
export { processProvider } from './providers/process.ts'
export { commandProvider } from './providers/command.ts'
export { /** @public */ urlProvider } from './providers/url.ts'
