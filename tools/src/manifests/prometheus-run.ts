import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { freePort } from '../support/ports.ts'
import { startReady } from '../support/processes.ts'
import { mountFor } from './mounts.ts'
import { find, podTemplates, type K8sObject } from './objects.ts'

/**
 * Starts the real `prometheus` binary as the Prometheus Deployment would: its exact args, with
 * every path that lies on a volume mapped under `dir` (ConfigMap volumes written out from the
 * rendered ConfigMaps, claims and emptyDirs as empty folders). Only the listen address is
 * added, on a free loopback port. A path outside every volume is an error: with a read-only
 * root filesystem Prometheus could not write it, and the image's own files are not here.
 */

export interface RunningPrometheus {
  url: string
  /** Everything the process printed so far. */
  output: () => string
  stop: () => Promise<void>
}

export async function startFromDeployment (objects: readonly K8sObject[], name: string, dir: string, timeoutMs = 30_000): Promise<RunningPrometheus> {
  const template = podTemplates(objects).find((t) => t.owner.kind === 'Deployment' && t.owner.metadata.name === name)
  if (template === undefined) throw new Error(`no Deployment ${name}`)
  const container = template.spec.containers.find((c: any) => (c.args ?? []).some((a: string) => a.startsWith('--config.file=')))
  if (container === undefined) throw new Error(`Deployment ${name} has no container with --config.file`)
  await materializeVolumes(objects, template.owner, template.spec, container, dir)

  const port = await freePort()
  const args = (container.args as string[])
    .filter((arg) => !arg.startsWith('--web.listen-address='))
    .map((arg) => mapArg(container, arg, dir))
  args.push(`--web.listen-address=127.0.0.1:${port}`)

  const url = `http://127.0.0.1:${port}`
  const child = await startReady(process.env.PROMETHEUS_BIN ?? 'prometheus', args, `${url}/-/ready`, { name: 'prometheus', cwd: dir, timeoutMs })
  return { url, output: child.output, stop: async () => { await child.stop() } }
}

/** `--flag=/abs/path` → the same path under `dir`; other args unchanged. */
function mapArg (container: any, arg: string, dir: string): string {
  const match = /^(--[^=]+=)(\/.*)$/.exec(arg)
  if (match === null) return arg
  const [, flag, path] = match as unknown as [string, string, string]
  if (mountFor(container, path) === undefined) throw new Error(`${arg}: ${path} is on no volume of the container`)
  return flag + join(dir, path)
}

async function materializeVolumes (objects: readonly K8sObject[], owner: K8sObject, spec: any, container: any, dir: string): Promise<void> {
  for (const mount of container.volumeMounts) {
    const target = join(dir, mount.mountPath)
    const volume = spec.volumes.find((v: any) => v.name === mount.name)
    if (volume.configMap === undefined) {
      // Claims and emptyDirs start empty.
      await mkdir(target, { recursive: true })
      continue
    }
    const configMap = find(objects, 'ConfigMap', volume.configMap.name, owner.metadata.namespace)
    if (configMap === undefined) throw new Error(`ConfigMap ${volume.configMap.name} does not exist`)
    const data: Record<string, string> = { ...configMap.data }
    if (mount.subPath !== undefined) {
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, data[mount.subPath]!)
      continue
    }
    await mkdir(target, { recursive: true })
    for (const [key, value] of Object.entries(data)) await writeFile(join(target, key), value)
  }
}
