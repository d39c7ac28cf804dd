import { once } from 'node:events'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { startLocalStack, type LocalStack, type StackOptions } from '../../src/local-run/stack.ts'
import { prometheus3 } from '../../src/monitoring/prometheus-server.ts'
import { freePort } from '../../src/support/ports.ts'

export type Handler = (request: IncomingMessage, response: ServerResponse) => void

/** A stand-in HTTP server on a loopback port that answers JSON by path, closed when the test ends. */
export async function fakeServer (t: Test, routes: Record<string, Handler | object>): Promise<string> {
  const server = createServer((request, response) => {
    const route = routes[(request.url ?? '/').split('?')[0]!]
    if (route === undefined) response.writeHead(404).end('not found')
    else if (typeof route === 'function') (route as Handler)(request, response)
    else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(route))
  }).listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

/** A Prometheus API answer in its envelope. */
export const api = (data: unknown): object => ({ status: 'success', data })

/** A fresh temporary folder, removed when the test ends; unlike t.testdir(), one per call. */
export function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'stack-monitoring-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Puts dir/bin/NAME, running the fake Grafana with this Node.js (none can be installed here); returns dir/bin. */
export function installFakeGrafana (dir: string, name = 'grafana'): string {
  const bin = join(dir, 'bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, name), `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dirname, 'fake-grafana.ts')}" "$@"\n`)
  chmodSync(join(bin, name), 0o755)
  return bin
}

/**
 * What `make run` starts, on free loopback ports, with Prometheus 3.x and a 1 s scrape and
 * evaluation interval (the only test override), and without Grafana even where one is installed
 * (grafana.test.ts covers its start). Stopped when the test ends.
 */
export async function startTestStack (t: Test, runDir: string, options: Partial<StackOptions> = {}, env: NodeJS.ProcessEnv = {}): Promise<LocalStack> {
  const stack = await startLocalStack({
    servicePort: await freePort(),
    prometheusPort: await freePort(),
    grafanaPort: await freePort(),
    runDir,
    prometheus: prometheus3(),
    interval: `${TEST_INTERVAL_SECONDS}s`,
    serviceLogFile: join(runDir, 'service-a.log'),
    log: () => {},
    env: { ...process.env, ...env, PATH: process.env.PATH!.split(':').filter((dir) => !/grafana/.test(dir)).join(':') },
    ...options
  })
  t.teardown(() => stack.stop())
  return stack
}

export const TEST_INTERVAL_SECONDS = 1
