/**
 * Label values as Prometheus and the Pushgateway need them: branch names
 * mapped to a bounded set (a branch per pull request must not become a series
 * and a Pushgateway group per pull request, forever), and grouping keys
 * written into the Pushgateway's URL path in the encoding it documents.
 */

/** Branch names kept as they are by default: the usual names of a main line. */
const defaultKeptBranches: readonly string[] = ['main', 'master', 'develop', 'trunk']

/**
 * The bounded value a branch name is exported as: a kept name (`main`) as it
 * is, `release/…`, `releases/…` or `release-…` as `release/*`, anything else
 * (`feature/login`, `renovate/pr-45338`, `dependabot/npm/x`) as `other`. The
 * store keeps the observation's own branch; only exported labels are mapped.
 */
export function boundedBranch(branch: string, keep: readonly string[] = defaultKeptBranches): string {
  const name = branch.replace(/^refs\/heads\//, '')
  if (keep.includes(name)) return name
  if (/^releases?[/-]/.test(name)) return 'release/*'
  return 'other'
}

/** Labels with `branch` (when present) mapped by {@link boundedBranch}; other labels unchanged. */
export function boundedLabels(
  labels: Readonly<Record<string, string>>,
  keep?: readonly string[],
): Record<string, string> {
  const out = { ...labels }
  if (out.branch !== undefined) out.branch = boundedBranch(out.branch, keep)
  return out
}

/** RFC 4648 §5 base64 (URL and filename safe alphabet), as the Pushgateway reads `@base64` segments. */
function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url')
}

/** One `name/value` pair of a Pushgateway path: `name@base64/…` for a value with `/` or an empty one. */
function segment(name: string, value: string): string {
  // The Pushgateway README: base64 "is the only way" for a `/` (even URI-encoded it splits the
  // path) and for an empty value, which it wants as a single `=`.
  if (value === '') return `/${name}@base64/=`
  if (value.includes('/')) return `/${name}@base64/${base64url(value)}`
  return `/${name}/${encodeURIComponent(value)}`
}

/** The grouping key's URL path under `/metrics`: `/job/<job>/<label>/<value>…`, each value encoded as required. */
export function groupingPath(job: string, groupings: Readonly<Record<string, string>>): string {
  let path = segment('job', job)
  for (const [name, value] of Object.entries(groupings)) path += segment(name, value)
  return path
}
