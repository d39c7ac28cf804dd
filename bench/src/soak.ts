import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { execa } from 'execa'
import { PATHS, REPO_ROOT } from '../../tools/src/support/paths.ts'
import { freePort } from '../../tools/src/support/ports.ts'
import { start, untilReady, type Child } from '../../tools/src/support/processes.ts'
import { writeSection } from './report.ts'
import { deploymentLimits, HEADROOM_TARGET, memorySample, podmanRunArgs, verdict, type MemorySample } from './soak-spec.ts'

/**
 * make soak: service-a's image under its Deployment's memory and CPU limits, minutes of mixed
 * traffic as fast as the CPU limit allows, its memory sampled from its own /metrics.
 * SOAK_RUNTIME=process runs service-a/dist as a plain process without limits, for comparison
 * (printed only).
 */
const env = process.env
const settings = {
  duration: Number(env.SOAK_DURATION ?? 180),
  interval: Number(env.SOAK_INTERVAL ?? 5),
  connections: Number(env.SOAK_CONNECTIONS ?? 32),
  runtime: env.SOAK_RUNTIME ?? 'podman',
  image: env.SERVICE_A_IMAGE ?? 'localhost/service-a:latest',
  output: env.SOAK_OUTPUT ?? `${REPO_ROOT}docs/benchmarks.md`
}
const container = settings.runtime !== 'process'
const podmanEnv = { ...env, CONTAINERS_CONF: env.CONTAINERS_CONF ?? `${REPO_ROOT}scripts/containers/containers.conf` }
const podman = async (...args: string[]) => (await execa('podman', args, { env: podmanEnv })).stdout.trim()

const randomWord = () => Array.from({ length: 12 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')

/**
 * What a service sees: mostly its routes, some slow work, and what scanners and broken clients
 * send (random unmatched paths, a bad query value, a malformed percent-encoding, a path
 * parameter over Fastify's 100-character limit). Each connection cycles through the list.
 */
const MIX: autocannon.Request[] = [
  ...Array.from({ length: 8 }, () => ({ path: '/' })),
  { path: '/hello/soak' }, { path: '/hello/soak' }, { path: '/hello/soak?delay=10' },
  { setupRequest: (request: autocannon.Request) => ({ ...request, path: `/scan/${randomWord()}` }) },
  { path: '/hello/soak?delay=soon' },
  { path: '/hello/%E0%A4%A' },
  { path: `/hello/${'x'.repeat(101)}` }
]

/** OOM kills in the process's memory cgroup (v1 `memory.oom_control`, v2 `memory.events`), if readable. */
function oomKills (pid: number): number | undefined {
  try {
    const cgroups = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    const v1 = /^\d+:memory:(.*)$/m.exec(cgroups)?.[1]
    const file = v1 !== undefined ? `/sys/fs/cgroup/memory${v1}/memory.oom_control` : `/sys/fs/cgroup${/^0::(.*)$/m.exec(cgroups)![1]}/memory.events`
    return Number(/^oom_kill (\d+)$/m.exec(readFileSync(file, 'utf8'))![1])
  } catch {
    return undefined
  }
}

/** SIGTERM as the kubelet sends it; then the exit code, and podman's OOM flag for a container. */
async function terminate (child: Child, name: string) {
  const started = performance.now()
  if (container) await podman('kill', '--signal', 'TERM', name)
  const code = container ? await child.exited : await child.stop('SIGTERM')
  const seconds = (performance.now() - started) / 1000
  if (!container) return { exitCode: code, oomKilled: undefined, seconds }
  const [exitCode, oomKilled] = (await podman('inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', name)).split(' ')
  return { exitCode: Number(exitCode), oomKilled: oomKilled === 'true', seconds }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1)

/** The soak's section of docs/benchmarks.md: settings, traffic, memory over time, the verdict. */
function render (load: autocannon.Result, samples: MemorySample[], oomKills: number | undefined, shutdown: Awaited<ReturnType<typeof terminate>>): string {
  const v = verdict(samples, limits.memoryBytes)
  const codes = Object.entries(load.statusCodeStats ?? {}).map(([code, { count = 0 }]) => [code, count] as const)
  const statuses = codes.map(([code, count]) => `${code}: ${count}`).join(', ')
  const fiveXx = codes.filter(([code]) => code.startsWith('5')).reduce((n, [, count]) => n + count, 0)
  // About a dozen rows whatever the duration: enough to see the curve level off.
  const step = Math.max(1, Math.round(samples.length / 12))
  const rows = samples.filter((_, i) => i % step === 0 || i === samples.length - 1)
  return [
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node.js ${process.versions.node} in the runner: ${settings.runtime === 'process' ? 'service-a/dist as a plain process, no limits' : `image ${settings.image}`}, limits from the Deployment: ${limits.cpus} CPU, ${mib(limits.memoryBytes)} MiB; LOG_LEVEL=${limits.env.LOG_LEVEL ?? 'info'}.`,
    `Load: ${load.duration} s of mixed traffic over ${settings.connections} connections: ${load.requests.total} requests, ${(load.requests.total / load.duration).toFixed(0)} req/s; ${statuses}.`,
    `Errors: ${load.errors} connection errors, ${load.timeouts} timeouts, ${fiveXx} responses 5xx. Access log: ${mib(logBytes)} MiB read from stdout. Machine load average at the end: ${loadavg().map((n) => n.toFixed(2)).join(' ')}.`,
    '',
    '| s | RSS MiB | heap used MiB | heap total MiB | new space MiB | external MiB | request series |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((s) => `| ${s.seconds.toFixed(0)} | ${mib(s.rssBytes)} | ${mib(s.heapUsedBytes)} | ${mib(s.heapTotalBytes)} | ${mib(s.newSpaceBytes)} | ${mib(s.externalBytes)} | ${s.series} |`),
    '',
    `Peak RSS ${mib(v.peakRssBytes)} MiB of ${mib(limits.memoryBytes)} MiB: headroom ${(v.headroom * 100).toFixed(0)} % (target ≥ ${HEADROOM_TARGET * 100} %); RSS slope over the second half ${v.lateSlopeMiBPerMinute.toFixed(2)} MiB/min (${v.levelsOff ? 'levelled off' : 'still growing'}).`,
    `OOM kills: ${oomKills ?? 'not readable'}${shutdown.oomKilled === undefined ? '' : `, OOMKilled ${shutdown.oomKilled}`}. SIGTERM → exit code ${shutdown.exitCode} after ${shutdown.seconds.toFixed(1)} s. Target: ${v.pass ? 'PASS' : 'MISS'}.`,
    ''
  ].join('\n')
}

const limits = deploymentLimits(readFileSync(`${PATHS.serviceA}/k8s/service-a-deployment.yaml`, 'utf8'), 'service-a')
if (env.SOAK_LOG_LEVEL !== undefined) limits.env.LOG_LEVEL = env.SOAK_LOG_LEVEL
const port = await freePort()
const name = `soak-service-a-${process.pid}`
const child = container
  ? start('podman', podmanRunArgs({ name, image: settings.image, port, limits }), { env: podmanEnv })
  : start(process.execPath, [`${PATHS.serviceA}/dist/server.js`], { env: { ...env, ...limits.env, PORT: String(port), HOST: '127.0.0.1' } })
// The access log is read here, as a node's container runtime reads a container's stdout.
let logBytes = 0
child.subprocess.stdout!.on('data', (chunk: Buffer) => { logBytes += chunk.length })
try {
  await untilReady(child, `http://127.0.0.1:${port}/readyz`, { timeoutMs: 60_000 })
  const pid = container ? Number(await podman('inspect', '--format', '{{.State.Pid}}', name)) : child.pid!
  const samples: MemorySample[] = []
  const started = performance.now()
  const sample = async () => {
    const page = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    const s = memorySample(page, (performance.now() - started) / 1000)
    samples.push(s)
    console.error(`  ${s.seconds.toFixed(0)} s: RSS ${(s.rssBytes / 2 ** 20).toFixed(1)} MiB, heap ${(s.heapUsedBytes / 2 ** 20).toFixed(1)}/${(s.heapTotalBytes / 2 ** 20).toFixed(1)} MiB, new space ${(s.newSpaceBytes / 2 ** 20).toFixed(1)} MiB, external ${(s.externalBytes / 2 ** 20).toFixed(1)} MiB, ${s.series} request series`)
  }
  console.error(`soak: ${settings.runtime}, ${settings.duration} s, ${settings.connections} connections, limits ${limits.cpus} CPU / ${limits.memoryBytes / 2 ** 20} MiB${container ? '' : ' (not applied)'}`)
  await sample()
  const done = new AbortController()
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}`, connections: settings.connections, duration: settings.duration, requests: MIX },
      (error, r) => { done.abort(); if (error) reject(error); else resolve(r) })
  })
  while (!done.signal.aborted) {
    await Promise.race([sleep(settings.interval * 1000), result])
    await sample()
  }
  const oom = container ? oomKills(pid) : undefined
  const shutdown = await terminate(child, name)
  const report = render(await result, samples, oom, shutdown)
  console.log(report)
  if (container && settings.output !== '') writeSection(settings.output, 'soak', report)
} finally {
  if (container) await podman('rm', '--force', '--ignore', name)
  await child.stop('SIGKILL')
}
