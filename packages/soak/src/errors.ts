/**
 * The error codes of @steady/soak: every `SteadyError` code it throws, declared
 * once with its meaning and a generic hint. Declaring them here makes them
 * valid codes of `SteadyError` (`SteadyErrorCode` in @steady/kernel).
 */
import { defineErrorCodes } from '@steady/kernel'

/**
 * The error codes @steady/soak throws, each with what it means and what to do (docs/errors.md is
 * generated from it).
 */
export const soakErrorCodes = defineErrorCodes({
  STEADY_PLAN_NOT_FOUND: {
    meaning: 'No soak plan has the name given.',
    hint: 'Add the plan under plans in steady.config.ts, or pass an existing plan name.',
  },
  STEADY_PLAN_INVALID: {
    meaning: 'A soak plan has a field steady cannot use (its phases, load, scrape targets or control).',
    hint: 'Fix the field the message names; docs/soak.md describes plans.',
  },
  STEADY_PROMETHEUS_UNREACHABLE: {
    meaning: 'The Prometheus server a soak plan queries does not answer.',
    hint: 'Check the prometheus URL in the soak plan and that the server is up.',
  },
  STEADY_PROMQL_INVALID: {
    meaning: 'Prometheus rejected a PromQL query of the soak plan.',
    hint: 'Check the PromQL expression (try it in the Prometheus UI).',
  },
})

declare module '@steady/kernel' {
  interface SteadyErrorCodeTables {
    soak: typeof soakErrorCodes
  }
}
