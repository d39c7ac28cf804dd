import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../tools/src/support/ports.ts'
import { start, untilReady } from '../../tools/src/support/processes.ts'
import type { Variant } from './variants.ts'

/**
 * The servers run compiled (npm run build): type stripping at load time would add ~16 MiB of RSS
 * and start-up time that the image, which runs JavaScript, does not pay.
 */
const SERVERS_DIR = fileURLToPath(new URL('../dist/servers/', import.meta.url))
const READY_TIMEOUT_MS = 15_000

export interface RunningServer {
  pid: number
  port: number
  /** From spawn() to the first 200 response to GET /. */
  spawnToReadyMs: number
  /** Bytes the server wrote to stdout: its logs, drained by this process like a log shipper would. */
  stdoutBytes: () => number
  /** SIGKILL by default; SIGTERM lets a profiled server write its profile. */
  stop: (signal?: NodeJS.Signals) => Promise<void>
}

/**
 * Starts a variant on a free loopback port, pinned to `cpu` with taskset where given, and waits until it
 * answers. stdout is a pipe read here: writing logs to a pipe costs what it costs in a container.
 */
export async function startServer (variant: Variant, cpu: number | undefined): Promise<RunningServer> {
  const port = await freePort()
  const node = [process.execPath, ...(variant.nodeOptions ?? []), SERVERS_DIR + variant.entry, ...(variant.args ?? [])]
  const [command, ...args] = cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node]
  const started = performance.now()
  const child = start(command!, args, { name: variant.id, env: { ...process.env, ...variant.env, PORT: String(port) } })
  let bytes = 0
  child.subprocess.stdout!.on('data', (chunk: Buffer) => { bytes += chunk.length })
  // GET / every 2 ms on a fresh connection (not fetch, whose first use loads undici in this
  // process): finer than that and the polling itself slows the start it measures.
  await untilReady(child, () => get(port, '/').then((r) => r.status === 200, () => false),
    { what: 'GET / answers 200', timeoutMs: READY_TIMEOUT_MS, intervalMs: 2 })
  const spawnToReadyMs = performance.now() - started
  return { pid: child.pid!, port, spawnToReadyMs, stdoutBytes: () => bytes, stop: async (signal = 'SIGKILL') => { await child.stop(signal) } }
}

/** One GET on a fresh connection; resolves with the status and body. */
export function get (port: number, path: string, agent?: import('node:http').Agent): Promise<{ status: number, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
