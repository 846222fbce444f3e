/**
 * Registry symbols shared by every copy of this package. A scenario file is
 * loaded through tsx and may get its own instance of @steady/scenario, while
 * the runner runs in the CLI's instance: values cross that line only through
 * `Symbol.for` keys, never through `instanceof` or module state.
 */

/** Brand of a scenario object. */
export const kScenario: unique symbol = Symbol.for('steady.scenario') as never
/** Brand of an expectation failure. */
export const kExpectation: unique symbol = Symbol.for('steady.expectation') as never
/** Brand of an HTTP request error (network, timeout, aborted). */
export const kRequestError: unique symbol = Symbol.for('steady.requestError') as never
/** On a response: marks it as one whose status the scenario asserted (k6's expected_response). */
export const kMarkExpected: unique symbol = Symbol.for('steady.markExpected') as never
/** On a response or a parsed body: counts a passed or failed check against its iteration. */
export const kCheckSink: unique symbol = Symbol.for('steady.checkSink') as never
/** On a response: the underlying exchange, for failure samples. */
export const kExchange: unique symbol = Symbol.for('steady.exchange') as never
/** Brand of an Auth object. */
export const kAuth: unique symbol = Symbol.for('steady.auth') as never

/** A function counting one check (true: passed). */
export type CheckSink = (passed: boolean) => void
