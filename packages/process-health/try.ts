import { ciProcess, judgeIndicator, type Observation } from '@steady/process-health'
import { mulberry32 } from './test/helpers/ci-history.ts'
const now = Date.parse('2025-03-10T12:00:00Z'); const day = 86400000
const ci = ciProcess()
const rand = mulberry32(11)
const obs: Observation[] = []
for (let k = 0; k < 31 * 12; k++) {
  const at = now - 31 * day + k * (day / 12) + 1000
  const creep = at > now - 3 * day ? 1 + 0.25 * ((at - (now - 3 * day)) / (3 * day)) : 1
  obs.push({ process: 'ci', indicator: 'cycle_time', value: 600 * (1 + 0.04 * (rand() - 0.5)) * creep, at })
}
const i = judgeIndicator(ci, ci.indicators[0], obs, { now })
console.log(i.state, i.checks)
