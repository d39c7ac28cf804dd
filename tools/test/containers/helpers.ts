import type { Test } from 'tap'
import { env, podman, remove, requireImage, uniqueName } from '../../src/containers/podman.ts'
import { freePort } from '../../src/support/ports.ts'
import { startReady } from '../../src/support/processes.ts'

export interface Running {
  name: string
  url: string
}

/**
 * Starts service-a's image on a free loopback port with host networking (no bridge, no
 * private addresses), waits for /healthz, and removes the container in teardown, also when
 * the test fails. `podman run` stays attached, so a container that exits during start-up
 * fails the test at once, with its output.
 */
export async function runServiceA (t: Test, image: string, flags: string[], containerEnv: Record<string, string> = {}): Promise<Running> {
  await requireImage(image)
  const name = uniqueName('service-a-test')
  const port = await freePort()
  t.teardown(() => remove('container', name))
  const envFlags = Object.entries({ PORT: String(port), HOST: '127.0.0.1', ...containerEnv }).flatMap(([key, value]) => ['--env', `${key}=${value}`])
  const url = `http://127.0.0.1:${port}`
  await startReady('podman', ['run', '--name', name, '--network', 'host', ...flags, ...envFlags, image], `${url}/healthz`, { name, env: env(), timeoutMs: 30_000 })
  return { name, url }
}

/** The container's start time and PID 1 on the host: both change when it restarts. */
export async function incarnation (name: string): Promise<string> {
  return await podman('inspect', '--format', '{{.State.StartedAt}} {{.State.Pid}} {{.RestartCount}}', name)
}
