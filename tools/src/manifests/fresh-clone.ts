import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { imageProblem } from './containers.ts'
import { containersOf, describe, podTemplates } from './objects.ts'
import { parseObjects, REPO_ROOT } from './render.ts'

/**
 * `kubectl apply -k DIR` as the repository's own texts advertise it must work on a fresh clone:
 * without the git-ignored files (the Grafana admin env file) and with the images as written
 * (a bare `service-a` would be pulled as docker.io/library/service-a:latest).
 */

/** Every root that a tracked text or kustomization names in `kubectl apply -k ROOT` (lower case; `ROOT` is a placeholder), with where. */
export async function advertisedInRepository (): Promise<Array<{ file: string, root: string }>> {
  const { stdout } = await execa('git', ['ls-files', '*.md', '*kustomization.yaml'], { cwd: REPO_ROOT })
  const found: Array<{ file: string, root: string }> = []
  for (const file of stdout.split('\n').filter((f) => f !== '' && !f.includes('node_modules/'))) {
    const text = await readFile(join(REPO_ROOT, file), 'utf8')
    for (const [, root] of text.matchAll(/kubectl apply -k ([a-z0-9.][a-z0-9._/-]*)/g)) found.push({ file, root: root!.replace(/\/$/, '') })
  }
  return found
}

/** What stops `kubectl apply -k root` in a fresh clone at `clone`: a render error, or an unpinned image. */
export async function checkFreshApply (clone: string, root: string): Promise<string[]> {
  const result = await execa('kubectl', ['kustomize', root], { cwd: clone, reject: false })
  if (result.failed) return [`kubectl apply -k ${root} fails on a fresh clone: ${result.stderr.trim().split('\n').at(-1) ?? ''}`]
  return podTemplates(parseObjects(result.stdout)).flatMap(({ owner, spec }) => containersOf(spec).flatMap((c) => {
    const problem = imageProblem(c.image, [])
    return problem === undefined ? [] : [`kubectl apply -k ${root}: ${describe(owner)}: ${problem}`]
  }))
}
