import type { Test } from 'tap'
import { podman, requireImage, uniqueName } from '../../src/containers/podman.ts'
import { request, waitFor } from '../../src/support/http.ts'
import { freePort } from '../../src/support/ports.ts'

/**
 * service-a's image run plainly (no pod spec: `flags` are all it gets) on a free loopback port
 * with host networking, once /healthz answers; removed in teardown, also when the test fails.
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
