import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

export type Handler = (request: IncomingMessage, response: ServerResponse) => void

/** A stand-in HTTP server on a loopback port, closed when the test ends. */
export async function fakeServer (t: Test, routes: Record<string, Handler | object>): Promise<string> {
  const server = createServer((request, response) => {
    const route = routes[(request.url ?? '/').split('?')[0] ?? '/']
    if (route === undefined) {
      response.writeHead(404).end('not found')
    } else if (typeof route === 'function') {
      (route as Handler)(request, response)
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(route))
    }
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise((resolve) => server.close(resolve)))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

/** A Prometheus API answer in its envelope. */
export function api (data: unknown): object {
  return { status: 'success', data }
}

/** A fresh temporary folder, removed when the test ends; unlike t.testdir(), one per call. */
export function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'stack-monitoring-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
