import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, cpus, loadavg, setPriority, totalmem } from 'node:os'

/** `2 × AMD EPYC …, 24 GiB`: every CPU (availableParallelism shrinks to 1 once pinned). */
export function describe (): string {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim()
  return `${cpus().length} × ${model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`
}

export const load = (): string => loadavg().map((n) => n.toFixed(2)).join(' ')

/**
 * Raises the priority of this process's threads to nice -20 where allowed (root); the servers
 * inherit it. On a shared machine the scheduler then moves other work out of the way of the
 * measured bursts instead of interleaving it with them, which inflates a server's CPU per
 * request through lost caches, and more for servers with more code and data.
 */
export function raisePriority (): boolean {
  try {
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), -20)
    return true
  } catch {
    return false
  }
}

/**
 * Pins this process (the load generator, every thread) to CPU 0 and returns the CPU for the
 * servers, where the machine has two and taskset exists; otherwise both share every CPU.
 */
export function pinLoadGenerator (): number | undefined {
  try {
    if (availableParallelism() < 2) return undefined
    execFileSync('taskset', ['-a', '-c', '-p', '0', String(process.pid)], { stdio: 'ignore' })
    return 1
  } catch {
    return undefined
  }
}

/** Installed versions of the packages under test: bench's own, and service-a's. */
export function versions (): string {
  const of = (from: string, name: string): string => `${name} ${(createRequire(from)(`${name}/package.json`) as { version: string }).version}`
  const service = new URL('../../service-a/package.json', import.meta.url).pathname
  return `service-a: ${['fastify', 'prom-client'].map((n) => of(service, n)).join(', ')}, ${of(createRequire(service).resolve('fastify'), 'pino')}; ` +
    `peers: ${['fastify', 'fastify-metrics', 'fastify-metrics-13', 'express', 'express-prom-bundle', 'autocannon'].map((n) => of(import.meta.filename, n)).join(', ')}`
}
