import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'

/** The real service-a, from its sources beside this package (`make deps` installs its dependencies). */
const SERVICE_A = fileURLToPath(new URL('../../service-a/src/server.ts', import.meta.url))

export async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

/** Polls until `done` holds; fails after `timeoutMs` (wide: on a busy machine the timers fire late). */
export async function until (done: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(10)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
  }
}

/**
 * Runs service-a as its own process on `port` (a free one by default) until the test ends, and
 * resolves once it is ready. Its environment is its own: neither tap's coverage hooks nor this
 * package's settings reach it.
 */
export async function startServiceA (t: Test, port?: number): Promise<{ url: string, port: number }> {
  const listen = port ?? await freePort()
  const child = spawn(process.execPath, [SERVICE_A], { env: { PATH: process.env.PATH, PORT: String(listen), HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = once(child, 'close')
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  })
  const url = `http://127.0.0.1:${listen}`
  while (!(await fetch(`${url}/readyz`).then((response) => response.ok, () => false))) {
    if (child.exitCode !== null) throw new Error(`service-a exited with ${child.exitCode} before it was ready: ${stderr}`)
    await sleep(25)
  }
  return { url, port: listen }
}

/** service-a's /metrics as `name{labels}` → value, comments skipped. */
export async function scrape (url: string): Promise<Map<string, number>> {
  const exposition = await (await fetch(`${url}/metrics`)).text()
  const result = new Map<string, number>()
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const cut = line.lastIndexOf(' ')
    result.set(line.slice(0, cut), Number(line.slice(cut + 1)))
  }
  return result
}
