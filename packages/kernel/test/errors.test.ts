import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ExitCode, SteadyError, isSteadyError, type SteadyErrorCode } from '@steady/kernel'

test('a steady error carries its code, hint, facts, cause and exit code (2 unless told)', () => {
  const cause = new Error('ENOENT')
  const e = new SteadyError('STEADY_CONFIG_INVALID', 'steady.config.ts: plans.default is missing', {
    hint: 'add a plan named default',
    cause,
    details: { file: 'steady.config.ts', field: 'plans.default' },
  })
  assert.is(e.name, 'SteadyError')
  assert.is(e.code, 'STEADY_CONFIG_INVALID')
  assert.is(e.message, 'steady.config.ts: plans.default is missing')
  assert.is(e.hint, 'add a plan named default')
  assert.is(e.cause, cause)
  assert.equal(e.facts, { file: 'steady.config.ts', field: 'plans.default' })
  assert.is(e.exitCode, ExitCode.usage)
  assert.is(new SteadyError('STEADY_USAGE', 'x', { exitCode: ExitCode.inconclusive }).exitCode, 3)
  const bare = new SteadyError('STEADY_USAGE', 'x')
  assert.is(bare.hint, undefined)
  assert.equal(bare.facts, {})
  assert.not.ok('cause' in bare, 'no cause unless one was given')
})

test('the exit codes every command shares', () => {
  assert.equal(ExitCode, { ok: 0, failed: 1, usage: 2, inconclusive: 3, sigint: 130, sigterm: 143 })
})

test('instanceof holds for an error of another installed copy (by brand), not for other errors', () => {
  // What a second copy of the package makes: another class, the same global brand.
  const brand = Symbol.for('steady.error')
  class OtherCopyError extends Error {
    readonly code = 'STEADY_OTHER'
    get [brand](): true {
      return true
    }
  }
  const other = new OtherCopyError('from another copy')
  assert.ok(other instanceof SteadyError)
  assert.ok(isSteadyError(other))
  assert.not.ok(isSteadyError(new Error('plain')))
  assert.not.ok(isSteadyError({ code: 'STEADY_FAKE', message: 'looks like one' }))
  assert.not.ok(isSteadyError(null))
  assert.not.ok(isSteadyError('STEADY_X'))
})

test('a subclass is a steady error and keeps its own name', () => {
  class HealthError extends SteadyError {
    constructor(code: SteadyErrorCode, message: string) {
      super(code, message)
      this.name = 'HealthError'
    }
  }
  const e = new HealthError('STEADY_DURATION_INVALID', 'x')
  assert.ok(isSteadyError(e))
  assert.ok(e instanceof Error)
  assert.is(e.name, 'HealthError')
  assert.is(e.exitCode, 2)
})

test.run()
