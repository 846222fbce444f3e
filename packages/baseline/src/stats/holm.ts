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
