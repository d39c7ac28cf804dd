import { rmSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import jsonPatch from 'fast-json-patch'
import type { K8sObject } from '../../src/manifests/objects.ts'
import { render, skaffoldRender } from '../../src/manifests/render.ts'
import { REPO_ROOT } from '../../src/support/paths.ts'

/** The tag the tests have Skaffold put into the images it builds. */
export const TAG = 'v0-test'
/** The roots that Skaffold deploys, each with the profile that selects it (skaffold.yaml's kustomize paths). */
export const SKAFFOLD_ROOTS: Record<string, string | undefined> = { k8s: undefined, 'overlays/dev': 'dev' }
export const KUSTOMIZE_ROOTS = ['k8s', 'overlays/dev', 'overlays/multi-replica', 'overlays/prometheus-operator', 'service-a', 'prometheus', 'grafana', 'alertmanager', 'jaeger'] as const

/** A copy of the tracked files only, as `git clone` gives them (no git-ignored file), in `dir`. */
export async function freshCopy (dir: string): Promise<string> {
  const { stdout } = await execa('git', ['ls-files', '-z'], { cwd: REPO_ROOT })
  for (const file of stdout.split('\0').filter((f) => f !== '')) {
    await mkdir(join(dir, dirname(file)), { recursive: true })
    // A tracked file deleted in the working tree is not in a clone of the next commit either.
    await copyFile(join(REPO_ROOT, file), join(dir, file)).catch((error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error })
  }
  return dir
}

let clone: Promise<string> | undefined
/** One fresh copy per test process, removed on exit: where Skaffold renders. */
export const freshClone = async (): Promise<string> => await (clone ??= mkdtemp(join(tmpdir(), 'fresh-clone-')).then(async (dir) => {
  process.on('exit', () => { rmSync(dir, { recursive: true, force: true }) })
  return await freshCopy(dir)
}))

const cache = new Map<string, Promise<K8sObject[]>>()
/** A root rendered once per test process, by Skaffold from a fresh clone where Skaffold deploys it, else by kubectl; each caller gets its own copy to break. */
export async function rendered (root: string): Promise<K8sObject[]> {
  if (!cache.has(root)) cache.set(root, root in SKAFFOLD_ROOTS ? skaffoldRender({ tag: TAG, profile: SKAFFOLD_ROOTS[root], cwd: await freshClone() }) : render(root))
  return structuredClone(await cache.get(root)!)
}

/** A JSON patch operation, or a text replacement inside the string at `path` (a config file in a ConfigMap). */
export type Change = jsonPatch.Operation | { path: string, replace: string, with: string }
export const add = (path: string, value: unknown): Change => ({ op: 'add', path, value })
export const remove = (path: string): Change => ({ op: 'remove', path })
export const replace = (path: string, value: unknown): Change => ({ op: 'replace', path, value })
/** Pins an index-based path to the element it means, so a reordered manifest fails here. */
export const expect = (path: string, value: unknown): Change => ({ op: 'test', path, value })
export const edit = (path: string, from: string, to: string): Change => ({ path, replace: from, with: to })

// kustomize's hash suffix of a generated name (its own alphabet).
const HASH = /-([245-9bcdfghkmt]{10})$/

/**
 * `root` rendered, with each object `Kind/name` (a generated name without its hash) changed, or
 * left out where the changes are `null`. A change that does not apply (a path or text that is
 * not there) throws: a broken manifest that breaks nothing would make the test pass for nothing.
 */
export async function patched (root: string, changes: Record<string, Change[] | null>): Promise<K8sObject[]> {
  let objects = await rendered(root)
  for (const [target, list] of Object.entries(changes)) {
    const [kind, name] = target.split('/')
    const object = objects.find((o) => o.kind === kind && o.metadata.name?.replace(HASH, '') === name)
    if (object === undefined) throw new Error(`${root} renders no ${target} to break`)
    if (list === null) objects = objects.filter((o) => o !== object)
    for (const change of list ?? []) {
      const text = (): string => jsonPatch.getValueByPointer(object, change.path) as string
      if ('op' in change) jsonPatch.applyOperation(object, change, true)
      else if (!text().includes(change.replace)) throw new Error(`${target} ${change.path} holds no ${change.replace}`)
      else jsonPatch.applyOperation(object, { op: 'replace', path: change.path, value: text().replace(change.replace, change.with) }, true)
    }
  }
  return objects
}

/** Messages with each generated name's hash written `<hash>`, to compare whatever the content. */
export const unhashed = (messages: string[]): string[] => messages.map((m) => m.replace(/-[245-9bcdfghkmt]{10}\b/g, '-<hash>'))
