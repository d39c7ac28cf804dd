import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { stringify } from 'yaml'
import type { K8sObject } from '../manifests/objects.ts'
import { render } from '../manifests/render.ts'
import { freePort } from '../support/ports.ts'
import { STACK_LISTENERS, toLoopback } from './loopback.ts'
import { podman, remove } from './podman.ts'

/** Rendered kustomize roots, made loopback-ready and written to a temp folder for kube play. */
export interface Stack {
  /** What `kubectl kustomize` rendered: the objects users deploy, untouched. */
  rendered: K8sObject[]
  /** Deployment name (as in the manifests) → http://127.0.0.1:<its port>. */
  urls: Record<string, string>
  /** The kube YAML that `play` runs. */
  file: string
  play: () => Promise<void>
  /** Deployment name → the names of its pod's app containers (after `play`). */
  containers: (deployment: string) => Promise<string[]>
  /** Removes every pod, container and volume that `play` made, and the temp folder. */
  down: () => Promise<void>
}

export async function prepareStack (roots: string[], images: Record<string, string>, suffix: string): Promise<Stack> {
  const rendered = (await Promise.all(roots.map(render))).flat()
  const ports: Record<string, number> = {}
  for (const object of rendered.filter((candidate) => candidate.kind === 'Deployment')) ports[object.metadata.name] = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'kube-play-'))
  const { objects, files } = toLoopback(rendered, { ports, listeners: STACK_LISTENERS, images, fileDir: dir, suffix })
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, content)
  }
  const file = join(dir, 'stack.yaml')
  writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'))
  // kube play makes a named volume for each claim and each ConfigMap; kube down leaves them.
  const volumes = objects.filter((object) => object.kind !== 'Deployment').map((object) => object.metadata.name)
  return {
    rendered,
    urls: Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`])),
    file,
    play: async () => { await podman('kube', 'play', '--network', 'host', file) },
    containers: async (deployment) => {
      const all = JSON.parse(await podman('ps', '--all', '--pod', '--format', 'json')) as Array<{ Names: string[], PodName: string, IsInfra: boolean }>
      return all.filter((c) => c.PodName.startsWith(`${deployment}${suffix}-pod`) && !c.IsInfra).flatMap((c) => c.Names)
    },
    down: async () => {
      await podman('kube', 'down', file).catch(() => {})
      await remove('volume', ...volumes)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
