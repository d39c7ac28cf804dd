import { once } from 'node:events'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Test } from 'tap'
import { TOOLS_BIN } from '../../src/support/paths.ts'

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

/** A fresh temporary folder, removed when the test ends; unlike t.testdir(), one per call. */
export function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'stack-monitoring-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Puts dir/bin/NAME, which runs fake-grafana.ts with this Node.js (Grafana cannot be installed here); returns dir/bin. */
export function installStandIn (dir: string, name: 'grafana' | 'grafana-server'): string {
  mkdirSync(join(dir, 'bin'), { recursive: true })
  writeFileSync(join(dir, 'bin', name), `#!/bin/sh\nexec "${process.execPath}" "${join(import.meta.dirname, `fake-${name.split('-')[0]}.ts`)}" "$@"\n`, { mode: 0o755 })
  return join(dir, 'bin')
}

/** PATH without the folders of an installed Grafana, nor .tools/bin's Jaeger: the runs that need them put them first. */
export const WITHOUT_GRAFANA = process.env.PATH!.split(':').filter((dir) => !/grafana/.test(dir) && resolve(dir) !== resolve(TOOLS_BIN)).join(':')
