import { execFile } from 'node:child_process'
import { copyFile, mkdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { imageProblem } from './containers.ts'
import { containersOf, describe, podTemplates } from './objects.ts'
import { parseObjects, REPO_ROOT } from './render.ts'

const run = promisify(execFile)

/**
 * `kubectl apply -k DIR` as the repository's own texts advertise it must work on a fresh clone:
 * without the git-ignored files (the Grafana admin env file) and with the images as written
 * (a bare `service-a` would be pulled as docker.io/library/service-a:latest).
 */

/** The roots that `kubectl apply -k ROOT` names in a text (a folder in lower case; `ROOT` is a placeholder). */
export function advertisedRoots (text: string): string[] {
  return [...text.matchAll(/kubectl apply -k ([a-z0-9.][a-z0-9._/-]*)/g)].map((m) => m[1]!.replace(/\/$/, ''))
}

/** Every root advertised in the repository's tracked documentation and kustomization files, with where. */
export async function advertisedInRepository (): Promise<Array<{ file: string, root: string }>> {
  const { stdout } = await run('git', ['ls-files', '*.md', '*kustomization.yaml'], { cwd: REPO_ROOT })
  const found: Array<{ file: string, root: string }> = []
  for (const file of stdout.split('\n').filter((f) => f !== '' && !f.includes('node_modules/'))) {
    for (const root of advertisedRoots(await readFile(join(REPO_ROOT, file), 'utf8'))) found.push({ file, root })
  }
  return found
}

/** A copy of the tracked files only (as `git clone` gives them) in `dir`. */
export async function freshCopy (dir: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '-z'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 })
  for (const file of stdout.split('\0').filter((f) => f !== '')) {
    await mkdir(join(dir, dirname(file)), { recursive: true })
    // A tracked file deleted in the working tree is not in a clone of the next commit either.
    await copyFile(join(REPO_ROOT, file), join(dir, file)).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error })
  }
}

/** What stops `kubectl apply -k root` in a fresh clone at `clone`: a render error, or an unpinned image. */
export async function checkFreshApply (clone: string, root: string): Promise<string[]> {
  let stdout: string
  try {
    ({ stdout } = await run('kubectl', ['kustomize', root], { cwd: clone, maxBuffer: 64 * 1024 * 1024 }))
  } catch (error) {
    const message = ((error as { stderr?: string }).stderr ?? String(error)).trim().split('\n').at(-1)
    return [`kubectl apply -k ${root} fails on a fresh clone: ${message ?? ''}`]
  }
  return podTemplates(parseObjects(stdout)).flatMap(({ owner, spec }) => containersOf(spec).flatMap((c) => {
    const problem = imageProblem(c.image, [])
    return problem === undefined ? [] : [`kubectl apply -k ${root}: ${describe(owner)}: ${problem}`]
  }))
}
