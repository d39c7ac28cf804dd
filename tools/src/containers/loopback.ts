import { selects } from '../manifests/cross-refs.ts'
import type { K8sObject } from '../manifests/objects.ts'

/**
 * Turns the rendered stack into what `podman kube play --network host` can run on one machine,
 * in memory only (the committed manifests are never touched):
 * - every Deployment's app listens on its own free loopback port instead of its containerPort,
 *   since under host networking all pods share the host's ports;
 * - `ports:` are dropped (kube play fails on them under host networking), and so are probes:
 *   podman turns them into `curl` healthchecks run by systemd timers, and neither curl (in the
 *   images) nor systemd (on our machines) exists; the tests poll the probes' paths instead;
 * - a ConfigMap key mounted with subPath becomes a file mounted with hostPath: podman 4.3 mounts
 *   the whole ConfigMap folder there instead (a "not a directory" error). The caller writes
 *   the returned files under `fileDir`;
 * - every `<service>:<port>` address in ConfigMap data (Prometheus' `service-a:80` target) and
 *   every `localhost:<containerPort>` becomes `127.0.0.1:<loopback port>`: hostAliases and
 *   --add-host do not reach /etc/hosts here, so Service names cannot be resolved;
 * - images are swapped for the locally built ones; Services and ServiceAccounts, which kube
 *   play has no use for, are left out;
 * - every name (and reference to it) gets `suffix`, so that the pods, volumes and ConfigMaps
 *   of two test runs on one machine never collide.
 * Everything else, the securityContext above all, passes through unchanged.
 */

/** How to move one Deployment's app to a loopback port: env to set and args to append. */
export interface Listener { env?: Record<string, string>, args?: string[] }

export interface LoopbackOptions {
  /** Deployment name → its loopback port. Every Deployment must have one. */
  ports: Record<string, number>
  /** Deployment name → how its app is told to listen on a port. */
  listeners: Record<string, (port: number) => Listener>
  /** Image in the manifests → image to run instead. */
  images?: Record<string, string>
  /** Where the caller writes `files` (ConfigMap keys mounted with subPath). */
  fileDir: string
  /** Appended to every object name and reference, e.g. `-test1234`. */
  suffix?: string
}

export interface LoopbackStack {
  objects: K8sObject[]
  /** Absolute path → content, to write before `podman kube play`. */
  files: Record<string, string>
}

/** The stack's own apps: service-a reads PORT/HOST, Prometheus takes a flag. */
export const STACK_LISTENERS: LoopbackOptions['listeners'] = {
  'service-a': (port) => ({ env: { PORT: String(port), HOST: '127.0.0.1' } }),
  prometheus: (port) => ({ args: [`--web.listen-address=127.0.0.1:${port}`] })
}

const KEPT_KINDS = new Set(['Deployment', 'ConfigMap', 'Secret', 'PersistentVolumeClaim'])

export function toLoopback (objects: readonly K8sObject[], options: LoopbackOptions): LoopbackStack {
  const kept = structuredClone(objects.filter((object) => KEPT_KINDS.has(object.kind)))
  const addresses = new Map<string, string>()
  for (const deployment of kept.filter((object) => object.kind === 'Deployment')) {
    const name = deployment.metadata.name
    const port = options.ports[name]
    const listener = options.listeners[name]
    if (port === undefined || listener === undefined) throw new Error(`Deployment/${name}: no loopback port or listener given for it`)
    const spec = deployment.spec.template.spec
    for (const container of spec.containers) {
      for (const containerPort of container.ports ?? []) {
        addresses.set(`localhost:${containerPort.containerPort}`, `127.0.0.1:${port}`)
        for (const service of servicesFor(objects, deployment, containerPort)) addresses.set(service, `127.0.0.1:${port}`)
      }
      retarget(container, port, listener(port), options.images ?? {})
    }
  }
  for (const configMap of kept.filter((object) => object.kind === 'ConfigMap')) {
    for (const [key, text] of Object.entries<string>(configMap.data ?? {})) configMap.data[key] = replaceAddresses(text, addresses)
  }
  const files: Record<string, string> = {}
  for (const deployment of kept.filter((object) => object.kind === 'Deployment')) {
    mountSubPathsAsFiles(deployment.spec.template.spec, kept, options.fileDir, files)
  }
  if (options.suffix !== undefined) addSuffix(kept, options.suffix)
  return { objects: kept, files }
}

function addSuffix (objects: K8sObject[], suffix: string): void {
  for (const object of objects) {
    object.metadata.name += suffix
    const volumes: any[] = object.kind === 'Deployment' ? object.spec.template.spec.volumes ?? [] : []
    for (const volume of volumes) {
      if (volume.configMap !== undefined) volume.configMap.name += suffix
      if (volume.secret !== undefined) volume.secret.secretName += suffix
      if (volume.persistentVolumeClaim !== undefined) volume.persistentVolumeClaim.claimName += suffix
    }
  }
}

function mountSubPathsAsFiles (spec: any, objects: readonly K8sObject[], fileDir: string, files: Record<string, string>): void {
  for (const container of spec.containers) {
    for (const mount of container.volumeMounts ?? []) {
      const volume = spec.volumes.find((candidate: any) => candidate.name === mount.name)
      if (mount.subPath === undefined || volume.configMap === undefined) continue
      const configMap = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === volume.configMap.name)
      const content = configMap?.data?.[mount.subPath]
      if (content === undefined) throw new Error(`volume ${mount.name}: ConfigMap ${volume.configMap.name} has no key ${mount.subPath}`)
      const path = `${fileDir}/${volume.configMap.name}/${mount.subPath}`
      files[path] = content
      const fileVolume = `${mount.name}-${mount.subPath}`.replace(/[^a-z0-9-]/g, '-')
      spec.volumes.push({ name: fileVolume, hostPath: { path, type: 'File' } })
      mount.name = fileVolume
      delete mount.subPath
    }
  }
}

function retarget (container: any, port: number, listener: Listener, images: Record<string, string>): void {
  container.image = images[container.image] ?? container.image
  delete container.ports
  for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) delete container[probe]
  const env: Array<{ name: string, value?: string }> = container.env ?? []
  for (const [name, value] of Object.entries(listener.env ?? {})) {
    const existing = env.find((variable) => variable.name === name)
    if (existing === undefined) env.push({ name, value })
    else existing.value = value
  }
  if (env.length > 0) container.env = env
  if (listener.args !== undefined) container.args = [...(container.args ?? []), ...listener.args]
}

/** `<service>:<port>` for each Service whose selector matches the pod and targets this port. */
function servicesFor (objects: readonly K8sObject[], deployment: K8sObject, containerPort: { name?: string, containerPort: number }): string[] {
  return objects
    .filter((object) => object.kind === 'Service' && selects(object.spec.selector, deployment.spec.template.metadata.labels))
    .flatMap((service) => service.spec.ports
      .filter((port: any) => port.targetPort === containerPort.name || port.targetPort === containerPort.containerPort)
      .map((port: any) => `${service.metadata.name}:${port.port}`))
}

/** Replaces whole `host:port` addresses only: `service-a:80` but not `service-a:8080` or `my-service-a:80`. */
export function replaceAddresses (text: string, addresses: ReadonlyMap<string, string>): string {
  let result = text
  for (const [from, to] of addresses) {
    const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    result = result.replace(new RegExp(`(?<![\\w.-])${escaped}(?![\\w])`, 'g'), to)
  }
  return result
}
