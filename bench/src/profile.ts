import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from './load.ts'
import { pinLoadGenerator } from './machine.ts'
import { summarize, type CpuProfile } from './profile-summary.ts'
import { startServer } from './server.ts'
import { selectVariants } from './variants.ts'

/**
 * `node src/profile.ts VARIANT [SECONDS]`: runs one server under load with --cpu-prof and prints
 * where its CPU time goes, by package and by function. The .cpuprofile file stays for DevTools.
 */
const [id = 'service-a', seconds = '10'] = process.argv.slice(2)
const variant = selectVariants(id).find((v) => v.id === id)!
const dir = mkdtempSync(join(tmpdir(), `bench-profile-${id}-`))
// --cpu-prof writes its file only on a normal exit, and SIGTERM's default action skips it.
const preload = 'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))'
const serverCpu = pinLoadGenerator()
const started = performance.now()
const server = await startServer(variant, serverCpu, ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--import=${preload}`])
await load({ port: server.port, connections: 10, duration: 2 })
const skipMs = performance.now() - started
const result = await load({ port: server.port, connections: 10, duration: Number(seconds) })
await server.stop('SIGTERM')
const file = join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!)
const { functions, owners } = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, skipMs)
console.log(`${id}: ${result.requests} requests, ${(result.requests / result.seconds).toFixed(0)} req/s; profile ${file} (first ${skipMs.toFixed(0)} ms left out)\n`)
console.log('self time by owner (% of busy samples)')
for (const s of owners) console.log(`${s.percent.toFixed(1).padStart(6)}  ${s.name}`)
console.log('\nself time by function')
for (const s of functions) console.log(`${s.percent.toFixed(1).padStart(6)}  ${s.name}`)
