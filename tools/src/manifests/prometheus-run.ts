import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { prometheus3 } from '../monitoring/prometheus-server.ts'
import { fetchJson, waitFor } from '../support/http.ts'
import { freePort } from '../support/ports.ts'
import { startReady, type Child } from '../support/processes.ts'
import { mountedFiles, resolveService } from './config-refs.ts'
import { describe, podTemplates } from './objects.ts'

const deployment = (objects: readonly KubernetesObject[], name: string) => podTemplates(objects).find((t) => t.owner.kind === 'Deployment' && t.owner.metadata?.name === name)

/**
 * The real Prometheus (or `binary`: Alertmanager has the same flags and /-/ready) started as the
 * Deployment `name` would, its exact args with every path on a volume mapped under `dir` and a free
 * loopback listen address. A path on no volume is an error: with a read-only root filesystem
 * Prometheus could not write it, and the image's own files are not here.
 */
export async function startFromDeployment (objects: readonly KubernetesObject[], name: string, dir: string, binary: string = prometheus3()): Promise<{ url: string, child: Child, stop: () => Promise<void> }> {
  const template = deployment(objects, name)
  const container = template?.spec.containers.find((c) => c.args?.some((a) => a.startsWith('--config.file=')))
  if (template === undefined || container === undefined) throw new Error(`no Deployment ${name} with a --config.file argument`)
  const mounts = container.volumeMounts ?? []
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

/**
 * Every static scrape target and Alertmanager that the Prometheus at `url` resolved is a Service
 * port of the stack, or on localhost a port of its own pod (pod discovery: checkConfigRefs).
 */
export async function checkTargets (objects: readonly KubernetesObject[], name: string, url: string): Promise<string[]> {
  const template = deployment(objects, name)!
  const ports = template.spec.containers.flatMap((c) => c.ports ?? [])
  const problem = (address: string): string | undefined => {
    const [host = '', port] = address.split(':')
    if (host !== 'localhost' && host !== '127.0.0.1') return resolveService(objects, template.namespace, host, Number(port))
    return ports.some((p) => String(p.containerPort) === port) ? undefined : 'is no container port of this pod'
  }
  type Targets = { data: { activeTargets: Array<{ scrapePool: string, discoveredLabels: Record<string, string> }> } }
  // Discovery hands its first targets over a few seconds after readiness.
  const [targets, alertmanagers] = await waitFor('the targets and Alertmanagers', async () => {
    const found = await Promise.all([fetchJson<Targets>(`${url}/api/v1/targets`), fetchJson<{ data: { activeAlertmanagers: Array<{ url: string }> } }>(`${url}/api/v1/alertmanagers`)])
    return found[0].data.activeTargets.length > 0 && found[1].data.activeAlertmanagers.length > 0 ? found : undefined
  }, 15_000)
  return [
    ...alertmanagers.data.activeAlertmanagers.map(({ url }) => [`alerting target ${new URL(url).host}`, problem(new URL(url).host)]),
    ...targets.data.activeTargets.map(({ scrapePool, discoveredLabels: { __address__: address = '' } }) => [`job ${scrapePool}: target ${address}`, problem(address)])
  ].flatMap(([what, why]) => why === undefined ? [] : [`${describe(template.owner)}: ${what} ${why}`])
}
