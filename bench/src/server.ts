import { request } from 'node:http'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../tools/src/support/ports.ts'
import { start, untilReady } from '../../tools/src/support/processes.ts'
import type { Variant } from './variants.ts'

/**
 * The servers run compiled (npm run build): type stripping at load time would add ~17 MiB of RSS
 * and start-up time that the image, which runs JavaScript, does not pay.
 */
const SERVERS_DIR = fileURLToPath(new URL('../dist/servers/', import.meta.url))

export interface RunningServer {
  pid: number
  port: number
  /** From spawn() to the first 200 response to GET /. */
  spawnToReadyMs: number
  /** SIGKILL by default; SIGTERM lets a profiled server write its profile. */
  stop: (signal?: NodeJS.Signals) => Promise<unknown>
}

/**
 * Starts a variant on a free loopback port, pinned to `cpu` with taskset where given (taskset
 * execs node: the pid is the server's), and waits until it answers. Its stdout is a pipe that
 * this process drains: writing logs to a pipe costs what it costs in a container.
 */
export async function startServer (variant: Variant, cpu: number | undefined, nodeOptions: string[] = []): Promise<RunningServer> {
  const port = await freePort()
  const node = [process.execPath, ...nodeOptions, SERVERS_DIR + variant.entry, ...(variant.args ?? [])]
  const [command, ...args] = cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node]
  const started = performance.now()
  const child = start(command!, args, { name: variant.id, env: { ...process.env, ...variant.env, PORT: String(port) } })
  // GET / every 2 ms on a fresh connection (not fetch, whose first use loads undici in this
  // process): finer than that and the polling itself slows the start it measures.
  await untilReady(child, () => isUp(port), { what: 'GET / answers 200', timeoutMs: 15_000, intervalMs: 2 })
  return { pid: child.pid!, port, spawnToReadyMs: performance.now() - started, stop: async (signal = 'SIGKILL') => await child.stop(signal) }
}

function isUp (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => { res.resume(); resolve(res.statusCode === 200) })
      .on('error', () => resolve(false)).end()
  })
}
