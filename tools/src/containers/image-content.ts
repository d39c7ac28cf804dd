import { podman } from './podman.ts'

// Runs inside the image with its own node (no shell tools assumed, nothing written): the entries
// of /app, the installed packages, and TypeScript files outside node_modules (not declarations).
const LIST_APP = `
const fs = require('node:fs')
const names = (dir) => fs.existsSync(dir) ? fs.readdirSync(dir) : []
const packages = names('/app/node_modules').filter((n) => !n.startsWith('.'))
  .flatMap((n) => n.startsWith('@') ? names('/app/node_modules/' + n).map((m) => n + '/' + m) : [n])
const typescript = fs.readdirSync('/app', { recursive: true })
  .filter((f) => !f.startsWith('node_modules') && /\\.[cm]?ts$/.test(f) && !/\\.d\\.[cm]?ts$/.test(f))
console.log(JSON.stringify({ entries: names('/app'), packages, typescript }))
`

/**
 * Why an image is not a production image of the package `manifest` with `lockfile`, or [] when it
 * is one. Dev-only packages are those the lockfile marks `dev`: a devDependency that a production
 * package needs as well (protobufjs needs @types/node) belongs in the image.
 */
export async function productionProblems (image: string, manifest: { dependencies?: object }, lockfile: { packages: Record<string, { dev?: boolean }> }): Promise<string[]> {
  const output = await podman(['run', '--rm', '--network', 'none', '--user', '1000', '--entrypoint', 'node', image, '-e', LIST_APP])
  const { entries, packages, typescript } = JSON.parse(output) as { entries: string[], packages: string[], typescript: string[] }
  const problems: string[] = []
  const dev = packages.filter((name) => lockfile.packages[`node_modules/${name}`]?.dev === true)
  if (dev.length > 0) problems.push(`holds dev dependencies: ${dev.join(', ')}`)
  const missing = Object.keys(manifest.dependencies ?? {}).filter((name) => !packages.includes(name))
  if (missing.length > 0) problems.push(`lacks dependencies: ${missing.join(', ')}`)
  if (typescript.length > 0) problems.push(`holds TypeScript sources: ${typescript.slice(0, 5).join(', ')}`)
  if (!entries.includes('dist')) problems.push('has no dist/')
  return problems
}
