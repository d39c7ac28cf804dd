import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, cpus, loadavg, setPriority, totalmem } from 'node:os'

/** `2 × AMD EPYC …, 24 GiB`: every CPU (availableParallelism shrinks to 1 once pinned). */
export const describe = (): string => `${cpus().length} × ${/^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`
export const load = (): string => loadavg().map((n) => n.toFixed(2)).join(' ')

/**
 * Nice -20 for this process's threads where allowed (root); the servers inherit it. On a shared
 * machine the scheduler then moves other work out of the way of the measured bursts instead of
 * slicing it between their requests, which costs them caches, more for servers with more code.
 */
export function raisePriority (): boolean {
  try { readdirSync('/proc/self/task').forEach((tid) => setPriority(Number(tid), -20)) } catch { return false }
  return true
}

/** Pins this process (the load generator) to CPU 0 and returns CPU 1 for the servers, where there are two CPUs and taskset. */
export function pinLoadGenerator (): number | undefined {
  if (availableParallelism() < 2) return undefined
  try { execFileSync('taskset', ['-a', '-c', '-p', '0', String(process.pid)], { stdio: 'ignore' }) } catch { return undefined }
  return 1
}

/** Installed versions of the packages under test: service-a's, and bench's own. */
export function versions (): string {
  const service = new URL('../../service-a/package.json', import.meta.url).pathname
  const of = (from: string, names: string[]): string => names.map((name) => `${name} ${(createRequire(from)(`${name}/package.json`) as { version: string }).version}`).join(', ')
  return `service-a: ${of(service, ['fastify', 'prom-client', '@fastify/otel'])}, ${of(createRequire(service).resolve('fastify'), ['pino'])}; ` +
    `peers: ${of(import.meta.filename, ['fastify', 'fastify-metrics', 'fastify-metrics-13', 'express', 'express-prom-bundle', 'autocannon'])}`
}
