/**
 * The seeded generator (sfc32) the synthetic generator and the block
 * bootstrap draw from: `@steady/kernel`'s, re-exported here.
 */
export { Random } from '@steady/kernel'
