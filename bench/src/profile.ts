import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pinLoadGenerator } from './machine.ts'
import { load } from './measure.ts'
import { received } from './otlp-sink.ts'
import { selectVariants, startServer } from './variants.ts'

/**
 * `node src/profile.ts VARIANT [SECONDS]`: one server under load with --cpu-prof; prints where
 * its CPU goes, as self time by package and by function, start-up and warm-up left out. The
 * .cpuprofile file stays for DevTools. A traced variant exports to the OTLP sink in this process.
 */
const [id = 'service-a', seconds = '10'] = process.argv.slice(2)
const [dir, cpu, started, variant] = [mkdtempSync(join(tmpdir(), `bench-profile-${id}-`)), pinLoadGenerator(), performance.now(), selectVariants(id).find((v) => v.id === id)!]
// --cpu-prof writes its file only on a normal exit, and SIGTERM's default action skips it.
const server = await startServer(variant, cpu, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import=data:text/javascript,process.on("SIGTERM",()=>process.exit(0))'])
await load({ port: server.port, connections: 10, duration: 2 })
const skipUs = (performance.now() - started) * 1000
const result = await load({ port: server.port, connections: 10, duration: Number(seconds) })
await server.stop('SIGTERM')
const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!)
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<{ id: number, callFrame: { functionName: string, url: string, lineNumber: number } }>, samples: number[], timeDeltas: number[] }

/** Where a script lives: its npm package, service-a's own code, or Node's internals. */
const owner = (url: string) => url === '' ? '(native, GC)' : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/service-a/') ? 'service-a' : url.startsWith('node:') ? 'node: core' : url.replace(/^file:\/\/.*\//, ''))
const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
const [byFunction, byOwner] = [new Map<string, number>(), new Map<string, number>()]
const add = (map: Map<string, number>, key: string, dt: number): void => { map.set(key, (map.get(key) ?? 0) + dt) }
let [elapsed, busy] = [0, 0]
profile.samples.forEach((node, i) => {
  const dt = profile.timeDeltas[i] ?? 0
  elapsed += dt
  const { functionName, url, lineNumber } = frames.get(node)!
  if (elapsed < skipUs || functionName === '(idle)' || functionName === '(program)') return
  busy += dt
  add(byFunction, `${functionName || '(anonymous)'} ${owner(url)}:${lineNumber + 1}`, dt)
  add(byOwner, functionName === '(garbage collector)' ? functionName : owner(url), dt)
})
const top = (map: Map<string, number>) => [...map].sort(([, a], [, b]) => b - a).slice(0, 25).map(([name, t]) => `${(100 * t / busy).toFixed(1).padStart(6)}  ${name}`).join('\n')
console.log(`${id}: ${(result.requests.total / result.duration).toFixed(0)} req/s${variant.traced === true ? `, ${received.exports} OTLP exports` : ''}; profile ${file}\n\nself time by owner (% of busy samples)\n${top(byOwner)}\n\nself time by function\n${top(byFunction)}`)
