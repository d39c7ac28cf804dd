import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { prometheus3 } from '../monitoring/prometheus-server.ts'
import { freePort } from '../support/ports.ts'
import { startReady, type Child } from '../support/processes.ts'
import { mountedFiles } from './config-refs.ts'
import { find, podTemplates } from './objects.ts'

/**
 * Starts the real Prometheus (or `binary`: Alertmanager takes the same --config.file and
 * --web.listen-address flags and has the same /-/ready) as the Deployment `name` would: its exact args, with every path that
 * lies on a volume mapped under `dir` (ConfigMap and Secret volumes written out from the rendered
 * objects, claims and emptyDirs as empty folders). Only the listen address is replaced, by a free
 * loopback port. A path outside every volume is an error: with a read-only root filesystem
 * Prometheus could not write it, and the image's own files are not here.
 */
export async function startFromDeployment (objects: readonly KubernetesObject[], name: string, dir: string, binary: string = prometheus3()): Promise<{ url: string, child: Child, stop: () => Promise<void> }> {
  const template = podTemplates(objects).find((t) => t.owner.kind === 'Deployment' && t.owner.metadata?.name === name)
  const container = template?.spec.containers.find((c) => c.args?.some((a) => a.startsWith('--config.file=')))
  if (template === undefined || container === undefined) throw new Error(`no Deployment ${name} with a --config.file argument`)
  const mounts = container.volumeMounts ?? []
  for (const { configMap } of template.spec.volumes ?? []) {
    if (configMap !== undefined && find(objects, 'ConfigMap', configMap.name, template.namespace) === undefined) throw new Error(`ConfigMap ${configMap.name} does not exist`)
  }
  for (const mount of mounts.filter((m) => m.subPath === undefined)) await mkdir(join(dir, mount.mountPath), { recursive: true })
  for (const [path, content] of mountedFiles(objects, template, container)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  const port = await freePort()
  const args = (container.args ?? []).filter((arg) => !arg.startsWith('--web.listen-address=')).map((arg) => {
    const path = /^--[^=]+=(\/.*)$/.exec(arg)?.[1]
    if (path === undefined) return arg
    if (!mounts.some((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))) throw new Error(`${arg}: ${path} is on no volume of the container`)
    return arg.replace(path, join(dir, path))
  })
  const url = `http://127.0.0.1:${port}`
  const child = await startReady(binary, [...args, `--web.listen-address=127.0.0.1:${port}`], `${url}/-/ready`, { name, cwd: dir })
  return { url, child, stop: async () => { await child.stop() } }
}
