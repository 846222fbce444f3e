/**
 * Deterministic randomness: the catalogue and the error-rate switch draw from
 * `@steady/kernel`'s `mulberry32`, seeded from names hashed here, so runs
 * repeat exactly.
 */

/** FNV-1a of a string: a stable number to seed from a name. */
export function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}
