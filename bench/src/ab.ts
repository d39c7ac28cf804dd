import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cycleRatios, parseSide, type Burst } from './ab-spec.ts'
import { load } from './load.ts'
import { load as loadAverage, pinLoadGenerator } from './machine.ts'
import { cpuSeconds } from './proc.ts'
import { startServer, type RunningServer } from './server.ts'
import { median } from './stats.ts'
import { BASELINE, VARIANTS } from './variants.ts'

/**
 * Compares builds of service-a by CPU per request, for changes smaller than make bench's
 * round-to-round noise: every server stays up on the server CPU and they take turns in short
 * bursts, so a change of the machine's load hits them alike.
 *   node src/ab.ts save NAME                  copies service-a's dist/ to .run/bench/builds/NAME
 *   node src/ab.ts CYCLES SECONDS a=DIR[:LOG_LEVEL] b=DIR[:LOG_LEVEL] …
 */
const repo = fileURLToPath(new URL('../../', import.meta.url))
const [command = '', ...rest] = process.argv.slice(2)

if (command === 'save') {
  const dir = resolve(repo, '.run/bench/builds', rest[0] ?? 'current')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  cpSync(resolve(repo, 'service-a/dist'), resolve(dir, 'dist'), { recursive: true })
  cpSync(resolve(repo, 'service-a/package.json'), resolve(dir, 'package.json'))
  // Its imports resolve to service-a's own packages, so only service-a's code differs.
  symlinkSync(resolve(repo, 'service-a/node_modules'), resolve(dir, 'node_modules'))
  console.log(dir)
} else {
  const [cycles, seconds, ...specs] = [Number(command), Number(rest[0]), ...rest.slice(1)]
  if (!Number.isInteger(cycles) || !(seconds > 0) || specs.length === 0) throw new Error('usage: ab.js CYCLES SECONDS name=DIR[:LOG_LEVEL] …')
  const sides = specs.map(parseSide)
  const cpu = pinLoadGenerator()
  const baseline = VARIANTS.find((v) => v.id === BASELINE)!
  const servers = new Map<string, RunningServer>()
  try {
    servers.set(BASELINE, await startServer(baseline, cpu))
    for (const side of sides) {
      servers.set(side.name, await startServer({ ...baseline, id: side.name, entry: 'service-a.js', env: { SERVICE_A_DIR: resolve(side.dir), LOG_LEVEL: side.logLevel } }, cpu))
    }
    for (const server of servers.values()) await load({ port: server.port, connections: 10, duration: 2 })
    const results: Array<Record<string, Burst>> = []
    const names = [...servers.keys()]
    for (let c = 0; c < cycles; c++) {
      const cycle: Record<string, Burst> = {}
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + c) % names.length]!
        const { pid, port } = servers.get(name)!
        const before = cpuSeconds(pid)
        const { requests } = await load({ port, connections: 10, duration: seconds })
        cycle[name] = { cpuSeconds: cpuSeconds(pid) - before, requests }
      }
      results.push(cycle)
    }
    const ratios = cycleRatios(results, BASELINE)
    for (const name of names) {
      const cpuTotal = results.reduce((sum, cycle) => sum + cycle[name]!.cpuSeconds, 0)
      const requests = results.reduce((sum, cycle) => sum + cycle[name]!.requests, 0)
      console.log(`${name.padEnd(12)} ${(cpuTotal * 1e6 / requests).toFixed(1).padStart(6)} µs/request  ratio to ${BASELINE}: median ${median(ratios[name]!).toFixed(3)} (${ratios[name]!.map((r) => r.toFixed(2)).join(' ')})`)
    }
    console.log(`load average ${loadAverage()}`)
  } finally {
    for (const server of servers.values()) await server.stop()
  }
}
