// Ships the user guides inside @steady/cli, so `steady init` can point at
// node_modules/@steady/cli/docs/ in a team's repo. Run on prepack: copies the
// guides from the repository's docs/. Without them (a copy of this package
// alone) it says so and packs without guides; `steady init` then points at
// the steady repository instead of a path that does not exist.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const guides = ['guide-scenario-authors.md', 'guide-gate-owners.md']
const from = new URL('../../../docs/', import.meta.url)
const to = new URL('../docs/', import.meta.url)
const missing = guides.filter((g) => !existsSync(new URL(g, from)))
if (missing.length) {
  console.warn(`copy-guides: ${missing.join(', ')} not found in ${fileURLToPath(from)}; packing without the guides`)
} else {
  mkdirSync(to, { recursive: true })
  for (const g of guides) copyFileSync(new URL(g, from), new URL(g, to))
}
