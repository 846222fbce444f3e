/**
 * The error codes of @steady/scenario: every `SteadyError` code it throws, declared
 * once with its meaning and a generic hint. Declaring them here makes them
 * valid codes of `SteadyError` (`SteadyErrorCode` in @steady/kernel).
 */
import { defineErrorCodes } from '@steady/kernel'

/**
 * The error codes @steady/scenario throws, each with what it means and what to do (docs/errors.md
 * is generated from it).
 */
export const scenarioErrorCodes = defineErrorCodes({
  STEADY_SCENARIO_INVALID: {
    meaning:
      'scenario() or scenario.each() was called with a bad name, function, options or table of cases, ' +
      "or a scenario file's hooks are not functions.",
    hint: "Write scenario('what the flow does', async ({ http }) => { ... }).",
  },
  STEADY_SCENARIO_NOT_FOUND: {
    meaning: 'No scenario files match the patterns given.',
    hint: 'Give a file, folder or glob (scenarios/**/*.scenario.ts), or set scenarios in steady.config.ts.',
  },
  STEADY_SCENARIO_LOAD: {
    meaning: 'A scenario file could not be loaded: a syntax or type error, or a failing import.',
    hint: 'Fix the error at the file and line the message names.',
  },
  STEADY_SCENARIO_EMPTY: {
    meaning: 'A scenario file exports no scenario.',
    hint: "Export one: export default scenario('name', async ({ http }) => { ... }).",
  },
  STEADY_SCENARIO_DUPLICATE: {
    meaning: 'Two scenarios have the same name.',
    hint: 'Give every scenario a unique name: replay and reports find scenarios by name.',
  },
  STEADY_SCENARIO_NONE_SELECTED: {
    meaning: 'The --grep pattern selects none of the scenarios.',
    hint: 'Use a pattern over "name @tag1 @tag2", such as --grep @smoke or part of a name.',
  },
  STEADY_SCENARIO_OPENAPI: {
    meaning: 'The OpenAPI document configured for response checks cannot be read or is not an OpenAPI 3 document.',
    hint: 'Point openapi at an OpenAPI 3.0 or 3.1 document (JSON or YAML), relative to the config file.',
  },
  STEADY_SCENARIO_OAUTH2: {
    meaning: 'The OAuth2 token endpoint refused the client-credentials request.',
    hint: 'Check tokenUrl, clientId and clientSecret of oauth2ClientCredentials().',
    exitCode: 1,
  },
  STEADY_SCENARIO_PROXY: {
    meaning: 'The proxy configured for HTTP requests is not a URL.',
    hint: 'Write the proxy as http://host:port (user:password@ allowed).',
  },
  STEADY_SCENARIO_TLS: {
    meaning: 'A TLS certificate or key configured for HTTP requests cannot be read.',
    hint: 'Give PEM text or a readable PEM file path, relative to the config file.',
  },
  STEADY_RUN_NO_TARGET: {
    meaning: 'steady run has no target to run against.',
    hint: 'Pass --target <url or name> or --env <name>, or set defaultTarget in steady.config.ts.',
  },
  STEADY_RUN_UNKNOWN_TARGET: {
    meaning: '--target is neither a URL nor the name of a target in steady.config.ts.',
    hint: "Use a URL (http://host:port) or the name of one of the config's targets.",
  },
  STEADY_RUN_REPLAY_NOT_FOUND: {
    meaning: '--replay names no run.json, run folder or run id that exists.',
    hint: 'Pass the run.json a run wrote (its path is printed at the end of steady run), or a run id under reports/.',
  },
  STEADY_RUN_REPLAY_SCENARIO: {
    meaning: 'The scenario to replay is not named, not in the run, or no longer in the scenario files.',
    hint: 'Say which scenario with --scenario <name>, or check out the version the run used.',
  },
  STEADY_RUN_REPLAY_ITERATION: {
    meaning: 'The iteration to replay is not one the run ran.',
    hint: 'Iterations count from 0; the failure output names the one to replay.',
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    scenario: typeof scenarioErrorCodes
  }
}
