import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Variant } from './variants.ts'

/** Compiled entries, whether this runner runs from src/ or dist/: the image runs JavaScript too. */
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
  const child = spawn(command!, args, {
    env: { ...process.env, ...variant.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let bytes = 0
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => { bytes += chunk.length })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = once(child, 'exit')
  try {
    await Promise.race([waitReady(port), exited.then(() => { throw new Error('exited before it was ready') })])
  } catch (error) {
    child.kill('SIGKILL')
    throw new Error(`${variant.id} did not start: ${(error as Error).message}\n${stderr}`)
  }
  const spawnToReadyMs = performance.now() - started
  return { pid: child.pid!, port, spawnToReadyMs, stdoutBytes: () => bytes, stop: (signal = 'SIGKILL') => stop(child, exited, signal) }
}

async function stop (child: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  await exited
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Polls GET / every 2 ms: finer than that and the polling itself slows the start it measures. */
async function waitReady (port: number): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS
  while (performance.now() < deadline) {
    if (await get(port, '/').then((r) => r.status === 200, () => false)) return
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
  throw new Error(`not ready within ${READY_TIMEOUT_MS} ms`)
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
