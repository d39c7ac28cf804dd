import type { Test } from 'tap'
import { securityArgs } from '../../src/containers/hardening.ts'
import { podman, requireImage, uniqueName } from '../../src/containers/podman.ts'
import { ofKind } from '../../src/manifests/objects.ts'
import { skaffoldRender } from '../../src/manifests/render.ts'
import { request, waitFor } from '../../src/support/http.ts'
import { freePort } from '../../src/support/ports.ts'

/** The podman flags that service-a's Deployment as Skaffold renders it (with `profile`) becomes: its securityContext and emptyDirs. */
export async function asDeployedBySkaffold (profile?: string): Promise<string[]> {
  const pod = ofKind(await skaffoldRender({ tag: 'test', profile }), 'Deployment').find((d) => d.metadata?.name === 'service-a')!.spec!.template.spec!
  return securityArgs(pod, pod.containers[0]!)
}

/**
 * service-a's image on a free loopback port with host networking (no bridge, no private
 * addresses), once /healthz answers; removed in teardown, also when the test fails.
 */
export async function runServiceA (t: Test, image: string, flags: string[], env: Record<string, string> = {}): Promise<{ name: string, url: string }> {
  await requireImage(image)
  const [name, port] = [uniqueName('service-a-test'), await freePort()]
  t.teardown(async () => { await podman(['rm', '--force', name]).catch(() => {}) })
  const envFlags = Object.entries({ PORT: String(port), HOST: '127.0.0.1', ...env }).flatMap(([key, value]) => ['--env', `${key}=${value}`])
  await podman(['run', '--detach', '--name', name, '--network', 'host', ...flags, ...envFlags, image])
  const url = `http://127.0.0.1:${port}`
  await waitFor(`${name} to answer /healthz`, async () => (await request(`${url}/healthz`)).ok || undefined, 30_000)
  return { name, url }
}
