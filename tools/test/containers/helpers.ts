import type { Test } from 'tap'
import { freePort } from '../../src/monitoring/free-port.ts'
import { request, waitFor } from '../../src/monitoring/http.ts'
import { podman, remove, requireImage, uniqueName } from '../../src/containers/podman.ts'

export interface Running {
  name: string
  url: string
}

/**
 * Starts service-a's image on a free loopback port with host networking (no bridge, no
 * private addresses), waits for /healthz, and removes the container in teardown, also when
 * the test fails.
 */
export async function runServiceA (t: Test, image: string, flags: string[], env: Record<string, string> = {}): Promise<Running> {
  await requireImage(image)
  const name = uniqueName('service-a-test')
  const port = await freePort()
  t.teardown(() => remove('container', name))
  const envFlags = Object.entries({ PORT: String(port), HOST: '127.0.0.1', ...env }).flatMap(([key, value]) => ['--env', `${key}=${value}`])
  await podman('run', '--detach', '--name', name, '--network', 'host', ...flags, ...envFlags, image)
  const url = `http://127.0.0.1:${port}`
  await waitFor(`${name} to answer /healthz`, async () => (await request(`${url}/healthz`)).ok || undefined, 30_000)
  return { name, url }
}

/** The container's start time and PID 1 on the host: both change when it restarts. */
export async function incarnation (name: string): Promise<string> {
  return await podman('inspect', '--format', '{{.State.StartedAt}} {{.State.Pid}} {{.RestartCount}}', name)
}
