import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { KubernetesObject } from '@kubernetes/client-node'
import { stringify } from 'yaml'
import { find, ofKind, selects } from '../manifests/objects.ts'
import { request, waitFor } from '../support/http.ts'
import { freePort } from '../support/ports.ts'
import { podman } from './podman.ts'

/** How each app of the stack is told to listen on a loopback port: env to set, args to append. */
const LISTENERS: Record<string, (port: number) => { env?: Record<string, string>, args?: string[] }> = {
  'service-a': (port) => ({ env: { PORT: String(port), HOST: '127.0.0.1' } }),
  prometheus: (port) => ({ args: [`--web.listen-address=127.0.0.1:${port}`] }),
  alertmanager: (port) => ({ args: [`--web.listen-address=127.0.0.1:${port}`] })
}

/**
 * The rendered stack as `podman kube play --network host` runs it on one machine, changed in
 * memory only, each change for a reason docs/containers.md gives: every app on its own loopback
 * port (`ports`), with the Service and localhost addresses in ConfigMap data pointing there; no
 * `ports:` and no probes; subPath keys as hostPath files (`files`, to write first); only the
 * Deployments and what their pods mount, every name and reference with `suffix`. Everything
 * else, the images and the securityContext above all, passes through unchanged.
 */
export function toLoopback (rendered: readonly KubernetesObject[], ports: Record<string, number>, fileDir: string, suffix: string): { objects: KubernetesObject[], files: Record<string, string> } {
  const mounted = new Set(ofKind(rendered, 'Deployment').flatMap((d) => d.spec?.template.spec?.volumes ?? [])
    .flatMap((v) => [v.configMap?.name, v.secret?.secretName, v.persistentVolumeClaim?.claimName]))
  const objects = structuredClone(rendered.filter((o) => o.kind === 'Deployment' || (['ConfigMap', 'Secret', 'PersistentVolumeClaim'].includes(o.kind ?? '') && mounted.has(o.metadata?.name))))
  const addresses = new Map<string, string>()
  const files: Record<string, string> = {}
  for (const { metadata, spec } of ofKind(objects, 'Deployment')) {
    const [port, listener, pod] = [ports[metadata!.name!], LISTENERS[metadata!.name!], spec!.template]
    if (port === undefined || listener === undefined) throw new Error(`Deployment/${metadata?.name}: no loopback port or listener for it`)
    for (const container of pod.spec!.containers) {
      for (const { name, containerPort } of container.ports ?? []) {
        addresses.set(`localhost:${containerPort}`, `127.0.0.1:${port}`)
        for (const service of ofKind(rendered, 'Service').filter((s) => selects(s.spec?.selector, pod.metadata?.labels ?? {}))) {
          for (const p of service.spec?.ports ?? []) if ([name, containerPort].includes(p.targetPort)) addresses.set(`${service.metadata?.name}:${p.port}`, `127.0.0.1:${port}`)
        }
      }
      const { env = {}, args } = listener(port)
      container.env = [...(container.env ?? []).filter((e) => !(e.name in env)), ...Object.entries(env).map(([name, value]) => ({ name, value }))]
      if (args !== undefined) container.args = [...container.args ?? [], ...args]
      for (const field of ['ports', 'startupProbe', 'livenessProbe', 'readinessProbe'] as const) delete container[field]
    }
  }
  for (const configMap of ofKind(objects, 'ConfigMap')) {
    for (const [key, text] of Object.entries(configMap.data ?? {})) {
      // Whole addresses only: `service-a:80`, never inside `my-service-a:8080`.
      configMap.data![key] = [...addresses].reduce((result, [from, to]) => result.replace(new RegExp(`(?<![\\w.-])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`, 'g'), to), text)
    }
  }
  for (const { metadata, spec } of ofKind(objects, 'Deployment')) {
    const volumes = (spec!.template.spec!.volumes ??= [])
    for (const mount of spec!.template.spec!.containers.flatMap((c) => c.volumeMounts ?? [])) {
      const configMap = volumes.find((v) => v.name === mount.name)?.configMap
      if (mount.subPath === undefined || configMap === undefined) continue
      const content = find(objects, 'ConfigMap', configMap.name, metadata?.namespace)?.data?.[mount.subPath]
      if (content === undefined) throw new Error(`volume ${mount.name}: ConfigMap ${configMap.name} has no key ${mount.subPath}`)
      const path = join(fileDir, configMap.name!, mount.subPath)
      files[path] = content
      mount.name = `${mount.name}-file`
      delete mount.subPath
      volumes.push({ name: mount.name, hostPath: { path, type: 'File' } })
    }
    for (const volume of volumes) {
      const { configMap, secret, persistentVolumeClaim } = volume
      // podman fails on an optional Secret that does not exist; the kubelet mounts an empty folder.
      if (secret?.optional === true && find(objects, 'Secret', secret.secretName, metadata?.namespace) === undefined) {
        delete volume.secret
        volume.emptyDir = {}
      }
      if (configMap !== undefined) configMap.name += suffix
      if (volume.secret !== undefined) volume.secret.secretName += suffix
      if (persistentVolumeClaim !== undefined) persistentVolumeClaim.claimName += suffix
    }
  }
  for (const object of objects) object.metadata!.name += suffix
  return { objects, files }
}

/** Rendered objects (Skaffold's), made loopback-ready in a temp folder, for `podman kube play`. */
export async function prepareStack (rendered: readonly KubernetesObject[], suffix: string) {
  const ports: Record<string, number> = {}
  for (const deployment of ofKind(rendered, 'Deployment')) ports[deployment.metadata!.name!] = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'kube-play-'))
  const { objects, files } = toLoopback(rendered, ports, dir, suffix)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, content)
  }
  const file = join(dir, 'stack.yaml')
  writeFileSync(file, objects.map((object) => stringify(object)).join('---\n'))
  const urls = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]))
  return {
    /** Deployment name (as in the manifests) → http://127.0.0.1:<its port>. */
    urls,
    /** kube play, then each pod ready as the kubelet would judge it: its readinessProbe path answers. */
    play: async () => {
      await podman(['kube', 'play', '--network', 'host', file])
      await Promise.all(ofKind(rendered, 'Deployment').map(async ({ metadata, spec }) => {
        const path = spec!.template.spec!.containers[0]!.readinessProbe?.httpGet?.path ?? '/'
        await waitFor(`${metadata!.name} ready at ${path}`, async () => (await request(`${urls[metadata!.name!]}${path}`)).ok || undefined, 90_000)
      }))
    },
    /** The app containers of a Deployment's pod (after `play`). */
    containers: async (deployment: string) => (JSON.parse(await podman(['ps', '--all', '--pod', '--format', 'json'])) as Array<{ Names: string[], PodName: string, IsInfra: boolean }>)
      .filter((c) => c.PodName.startsWith(`${deployment}${suffix}-pod`) && !c.IsInfra).flatMap((c) => c.Names),
    /** Removes every pod, container and volume that `play` made (kube down leaves the volumes), and the folder. */
    down: async () => {
      await podman(['kube', 'down', file]).catch(() => {})
      await podman(['volume', 'rm', '--force', ...objects.filter((o) => o.kind !== 'Deployment').map((o) => o.metadata!.name!)]).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
