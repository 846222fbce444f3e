/**
 * Holm's step-down correction: controls the family-wise error rate over many
 * tests without assuming they are independent. Returns, per input p-value,
 * the adjusted p-value (compare it with α) in the input's order.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0])
  const adjusted = new Array<number>(m)
  let running = 0
  for (let rank = 0; rank < m; rank++) {
    const [p, i] = order[rank]
    running = Math.max(running, Math.min(1, (m - rank) * p))
    adjusted[i] = running
  }
  return adjusted
}

/**
 * Holm's weighted step-down correction (Holm 1979): test i gets the share
 * `weights[i]` of α, and a rejected test hands its share on to the others.
 * It controls the family-wise error rate for any positive weights; with equal
 * weights it is {@link holmAdjust}. Returns the adjusted p-values in the input's
 * order (compare them with α).
 */
export function holmAdjustWeighted(pValues: readonly number[], weights: readonly number[]): number[] {
  const m = pValues.length
  const total = weights.reduce((a, b) => a + b, 0)
  const w = weights.map((x) => x / total)
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] / w[a] - pValues[b] / w[b])
  let remaining = 1
  let running = 0
  const adjusted = new Array<number>(m)
  for (const i of order) {
    running = Math.max(running, Math.min(1, (pValues[i] / w[i]) * remaining))
    adjusted[i] = running
    remaining = Math.max(0, remaining - w[i])
  }
  return adjusted
}
