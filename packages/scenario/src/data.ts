/**
 * Seeded test data: a faker instance per iteration, seeded from the run seed,
 * the scenario name and the iteration number, so `--seed` (or `--replay`)
 * makes any iteration generate exactly the same emails, names and ids again.
 */
import { faker as english } from '@faker-js/faker/locale/en'
import type { Faker } from '@faker-js/faker'

/** A run seed as the user gives it (`--seed 42`, `--seed release-1.2`). */
export type Seed = string | number

const FakerClass = english.constructor as new (options: { locale: unknown; seed?: number }) => Faker

/** 32-bit FNV-1a over the parts, a stable seed from text. */
export function hashSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5
  for (const part of parts) {
    const s = String(part) + '\u0000'
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i)
      h = Math.imul(h, 0x01000193)
    }
  }
  return h >>> 0
}

/** The data seed of one iteration. */
export function iterationSeed(runSeed: Seed, scenario: string, iteration: number): number {
  return hashSeed(runSeed, scenario, iteration)
}

/** A faker instance seeded with `seed` (English locale). */
export function seededFaker(seed: number): Faker {
  return new FakerClass({ locale: english.rawDefinitions, seed })
}

/** A fresh random run seed (printed with every run, so it can be given back). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31)
}

export type { Faker }
