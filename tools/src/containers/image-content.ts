import { podman } from './podman.ts'

/** What an image holds under /app: top-level entries, installed packages, TypeScript files. */
export interface AppListing {
  entries: string[]
  packages: string[]
  /** .ts/.mts/.cts files outside node_modules (type declarations do not count). */
  typescript: string[]
}

// Runs inside the image with its own node: no shell tools are assumed, nothing is written.
const LIST_APP = `
const fs = require('node:fs')
const path = require('node:path')
const modules = '/app/node_modules'
const names = (dir) => fs.existsSync(dir) ? fs.readdirSync(dir) : []
const packages = names(modules).filter((n) => !n.startsWith('.'))
  .flatMap((n) => n.startsWith('@') ? names(path.join(modules, n)).map((m) => n + '/' + m) : [n])
const typescript = fs.readdirSync('/app', { recursive: true })
  .filter((f) => !f.startsWith('node_modules') && /\\.[cm]?ts$/.test(f) && !/\\.d\\.[cm]?ts$/.test(f))
console.log(JSON.stringify({ entries: names('/app'), packages, typescript }))
`

export async function listApp (image: string): Promise<AppListing> {
  const output = await podman('run', '--rm', '--network', 'none', '--user', '1000', '--entrypoint', 'node', image, '-e', LIST_APP)
  return JSON.parse(output) as AppListing
}

/** Why an image is not a production image of the package, or [] when it is one. */
export function productionProblems (listing: AppListing, manifest: { dependencies?: object, devDependencies?: object }): string[] {
  const problems: string[] = []
  const dev = Object.keys(manifest.devDependencies ?? {}).filter((name) => listing.packages.includes(name))
  if (dev.length > 0) problems.push(`holds dev dependencies: ${dev.join(', ')}`)
  const missing = Object.keys(manifest.dependencies ?? {}).filter((name) => !listing.packages.includes(name))
  if (missing.length > 0) problems.push(`lacks dependencies: ${missing.join(', ')}`)
  if (listing.typescript.length > 0) problems.push(`holds TypeScript sources: ${listing.typescript.slice(0, 5).join(', ')}`)
  if (!listing.entries.includes('dist')) problems.push('has no dist/')
  return problems
}
