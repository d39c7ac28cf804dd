import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { PATHS, REPO_ROOT } from '../../tools/src/support/paths.ts'
import { freePort } from '../../tools/src/support/ports.ts'
import { start, untilReady } from '../../tools/src/support/processes.ts'
import * as machine from './machine.ts'
import { load, mib, numbersFromEnv, publish, randomPath, runStamp, scrape } from './measure.ts'
import { otlpSink, received } from './otlp-sink.ts'
import { deploymentLimits, HEADROOM_TARGET, memorySample, podmanRunArgs, soakRuns, verdict, type MemorySample, type SoakRun, type Verdict } from './soak-spec.ts'

const HEADER = '| s | RSS MiB | heap used MiB | heap total MiB | new space MiB | external MiB | request series |\n|---:|---:|---:|---:|---:|---:|---:|'
const row = (s: MemorySample): string => `| ${s.seconds.toFixed(0)} | ${[s.rssBytes, s.heapUsedBytes, s.heapTotalBytes, s.newSpaceBytes, s.externalBytes].map(mib).join(' | ')} | ${s.series} |`

/**
 * make soak: service-a's image under its Deployment's limits, minutes of mixed traffic as fast as
 * they allow, its memory sampled from its own /metrics: with tracing off, then on at
 * SOAK_TRACE_PERCENT (10; 0: not run) exporting to a loopback OTLP sink in this process; then each
 * image of SOAK_COMPARE=name=IMAGE,… with tracing off, for its throughput on the same machine in
 * the same run. SOAK_RUNTIME=process: service-a/dist as a plain process without limits (printed only).
 */
const env = process.env
const { SOAK_DURATION: duration, SOAK_INTERVAL: interval, SOAK_CONNECTIONS: connections } = numbersFromEnv({ SOAK_DURATION: 180, SOAK_INTERVAL: 5, SOAK_CONNECTIONS: 32 })
// As `make images` names it: Skaffold builds through podman's Docker API, which names images as Docker does.
const image = env.SERVICE_A_IMAGE ?? 'docker.io/library/service-a:latest'
const container = env.SOAK_RUNTIME !== 'process'
const podmanEnv = { ...env, CONTAINERS_CONF: env.CONTAINERS_CONF ?? `${REPO_ROOT}hack/offline-workarounds/containers.conf` }
const podman = async (...args: string[]): Promise<string> => (await execa('podman', args, { env: podmanEnv })).stdout.trim()

// What a service sees, cycled through by each connection: mostly its routes, some slow work, and what scanners and broken
// clients send (unmatched paths, a bad query value, a malformed percent-encoding, a name over Fastify's 100-character limit).
const MIX = [...Array<string>(8).fill('/'), '/hello/soak', '/hello/soak', '/hello/soak?delay=10', randomPath, '/hello/soak?delay=soon', '/hello/%E0%A4%A', `/hello/${'x'.repeat(101)}`]

const limits = deploymentLimits(readFileSync(`${PATHS.serviceA}/k8s/service-a-deployment.yaml`, 'utf8'), 'service-a')
if (env.SOAK_LOG_LEVEL !== undefined) limits.env.LOG_LEVEL = env.SOAK_LOG_LEVEL
const runs = soakRuns({ image, compare: env.SOAK_COMPARE ?? '', tracePercent: Number(env.SOAK_TRACE_PERCENT ?? 10) })
/** A finished soak: its throughput, its memory verdict, and its own section of the results. */
interface SoakResult { run: SoakRun, requestsPerSecond: number, verdict: Verdict, section: string }
const results: SoakResult[] = []
for (const run of runs) results.push(await soak(run))
publish('soak', summary(results), container)

/**
 * One soak: the image under the Deployment's limits and environment, its OTEL_* settings replaced:
 * none with tracing off, else the sink in this process (the Deployment's collector is not here,
 * and an exporter that cannot reach its collector holds its spans and retries).
 */
async function soak (run: SoakRun): Promise<SoakResult> {
  const untraced = Object.fromEntries(Object.entries(limits.env).filter(([name]) => !name.startsWith('OTEL_')))
  const runEnv: Record<string, string> = { ...untraced, ...(run.tracePercent === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: await otlpSink(), OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(run.tracePercent / 100) }) }
  const port = await freePort()
  const name = `soak-service-a-${process.pid}`
  const child = container ? start('podman', podmanRunArgs({ name, image: run.image, port, limits: { ...limits, env: runEnv } }), { env: podmanEnv }) : start(process.execPath, [`${PATHS.serviceA}/dist/server.js`], { env: { ...env, ...runEnv, PORT: String(port), HOST: '127.0.0.1' } })
  const exportsBefore = received.exports
  // The access log is read here, as a node's container runtime reads a container's stdout.
  let logBytes = 0
  child.subprocess.stdout!.on('data', (chunk: Buffer) => { logBytes += chunk.length })
  try {
    await untilReady(child, `http://127.0.0.1:${port}/readyz`, { timeoutMs: 60_000 })
    const [samples, started]: [MemorySample[], number] = [[], performance.now()]
    const sample = async (): Promise<void> => { samples.push(memorySample(await scrape(port), (performance.now() - started) / 1000)); console.error(row(samples.at(-1)!)) }
    console.error(`soak ${run.label}: ${container ? 'podman' : 'process'}, ${duration} s, ${connections} connections, limits ${limits.cpus} CPU / ${mib(limits.memoryBytes)} MiB${container ? '' : ' (not applied)'}\n${HEADER}`)
    const done = new AbortController()
    const loaded = load({ port, connections, duration, paths: MIX }).finally(() => done.abort())
    do {
      await sample()
      await Promise.race([sleep(interval * 1000), loaded])
    } while (!done.signal.aborted)
    await sample()
    const traffic = await loaded

    // SIGTERM as the kubelet sends it; then the exit code, and podman's OOM flag for a container
    // (service-a is its PID 1: an OOM kill would have ended the container, and podman says so).
    const stopping = performance.now()
    const code = container ? await podman('kill', '--signal', 'TERM', name).then(async () => await child.exited) : await child.stop('SIGTERM')
    const stopSeconds = (performance.now() - stopping) / 1000
    const [exitCode, oomKilled] = container ? (await podman('inspect', '--format', '{{.State.ExitCode}} {{.State.OOMKilled}}', name)).split(' ') : [code]

    const v = verdict(samples, limits.memoryBytes)
    const codes = Object.entries(traffic.statusCodeStats ?? {}).map(([code, { count = 0 }]) => [code, count] as const)
    const fiveXx = codes.filter(([code]) => code.startsWith('5')).reduce((n, [, count]) => n + count, 0)
    const requestsPerSecond = traffic.requests.total / traffic.duration
    // About a dozen rows whatever the duration: enough to see the curve level off.
    const step = Math.max(1, Math.round(samples.length / 12))
    const section = [
      `### ${run.label}`, '',
      `${container ? `Image ${run.image}` : 'service-a/dist as a plain process, no limits'}; LOG_LEVEL=${runEnv.LOG_LEVEL ?? 'info'}${run.tracePercent === undefined ? ', tracing off' : `, tracing on, ${run.tracePercent} % sampled, ${received.exports - exportsBefore} OTLP exports received on loopback`}.`,
      `Load: ${traffic.duration} s of mixed traffic over ${connections} connections: ${traffic.requests.total} requests, ${requestsPerSecond.toFixed(0)} req/s; ${codes.map(([code, count]) => `${code}: ${count}`).join(', ')}.`,
      `Errors: ${traffic.errors} connection errors, ${traffic.timeouts} timeouts, ${fiveXx} responses 5xx. Access log: ${mib(logBytes)} MiB read from stdout. Machine load average at the end: ${machine.load()}.`,
      '', HEADER, ...samples.filter((_, i) => i % step === 0 || i === samples.length - 1).map(row), '',
      `Peak RSS ${mib(v.peakRssBytes)} MiB of ${mib(limits.memoryBytes)} MiB: headroom ${(v.headroom * 100).toFixed(0)} % (target ≥ ${HEADROOM_TARGET * 100} %); RSS slope over the second half ${v.lateSlopeMiBPerMinute.toFixed(2)} MiB/min (${v.levelsOff ? 'levelled off' : 'still growing'}).`,
      `OOMKilled ${oomKilled ?? 'n/a (no container)'}. SIGTERM → exit code ${exitCode} after ${stopSeconds.toFixed(1)} s. Memory target: ${v.pass ? 'PASS' : 'MISS'}.`, ''
    ].join('\n')
    return { run, requestsPerSecond, verdict: v, section }
  } finally {
    if (container) await podman('rm', '--force', '--ignore', name)
    await child.stop('SIGKILL')
  }
}

/** The run's header, a table of every soak with its throughput against the first's, then each soak's own section. */
function summary (results: SoakResult[]): string {
  const [first] = results
  return [
    `${runStamp()}, Node.js ${process.versions.node} in the runner; limits from the Deployment: ${limits.cpus} CPU, ${mib(limits.memoryBytes)} MiB; each soak ${duration} s, one after another on the same machine.`, '',
    '| soak | req/s | throughput vs the first | peak RSS MiB | headroom | RSS slope, 2nd half | memory target |', '|---|---:|---:|---:|---:|---:|---|',
    ...results.map(({ run, requestsPerSecond, verdict: v }) => `| ${run.label} | ${requestsPerSecond.toFixed(0)} | ${(requestsPerSecond / first!.requestsPerSecond).toFixed(2)}× | ${mib(v.peakRssBytes)} | ${(v.headroom * 100).toFixed(0)} % | ${v.lateSlopeMiBPerMinute.toFixed(2)} MiB/min | ${v.pass ? 'PASS' : 'MISS'} |`),
    '', ...results.map(({ section }) => section)
  ].join('\n')
}
