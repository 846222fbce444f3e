/**
 * The steady config of this repo: the demo store's scenarios, its `local`
 * ephemeral environment, load profiles, soak plans and gates. A team's feature
 * repo has one like it (`steady init` writes a starting point).
 *
 * Each section is owned by the package that reads it; keep them in this order.
 */
import { defineConfig } from '@steady/cli'

export default defineConfig({
  // ── scenarios (packages/scenario, steady run) ────────────────────────────
  scenarios: ['scenarios/**/*.scenario.ts'],

  // ── environments (packages/env) ──────────────────────────────────────────

  // ── load profiles (packages/load) ────────────────────────────────────────

  // ── soak plans (packages/soak) ───────────────────────────────────────────

  // ── gates (packages/baseline) ────────────────────────────────────────────

  // ── process health (packages/process-health) ─────────────────────────────
})
