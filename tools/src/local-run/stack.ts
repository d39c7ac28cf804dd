import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ALERTMANAGER_CONFIG, ALERTMANAGER_MISSING, findAlertmanager, startAlertmanager } from '../alerting/alertmanager.ts'
import { deriveLocalConfig } from '../monitoring/prometheus-config.ts'
import { PrometheusApi, startPrometheus } from '../monitoring/prometheus-server.ts'
import { waitFor } from '../support/http.ts'
import { PATHS, REPO_ROOT } from '../support/paths.ts'
import { findExecutable, start, startReady, untilReady, type Child } from '../support/processes.ts'
import { findGrafana, GRAFANA_MISSING, startGrafana } from './grafana.ts'
import { followLogs, sizeOf } from './log-follower.ts'

interface LocalSettings { servicePort: number, prometheusPort: number, grafanaPort: number, alertmanagerPort: number, runDir: string, load: boolean }

/**
 * The local run's settings from the environment (the Makefile passes its variables), with the
 * ports the Kubernetes stack's port-forwards use, so that URLs are the same in both runs.
 */
export function settingsFromEnv (env: NodeJS.ProcessEnv): LocalSettings {
  const number = (name: string, fallback: number, what: string, valid: (value: number) => boolean): number => {
    const text = env[name]
    if (text === undefined || text === '') return fallback
    if (!valid(Number(text))) throw new Error(`${name} must be ${what}, not "${text}"`)
    return Number(text)
  }
  const port = (name: string, fallback: number): number => number(name, fallback, 'a TCP port (1-65535)', (value) => Number.isInteger(value) && value >= 1 && value <= 65535)
  return {
    servicePort: port('SERVICE_PORT', 9000),
    prometheusPort: port('PROMETHEUS_PORT', 9090),
    grafanaPort: port('GRAFANA_PORT', 3000),
    alertmanagerPort: port('ALERTMANAGER_PORT', 9093),
    runDir: resolve(REPO_ROOT, env.RUN_DIR ?? PATHS.runDir),
    // The load generator runs unless LOAD=0: the dashboards have data without anyone's traffic.
    load: number('LOAD', 1, '1 or 0', (value) => value === 0 || value === 1) === 1
  }
}

const JAEGER_MISSING = 'Jaeger: no jaeger binary on PATH, so the local run goes without traces. ' +
  '`make tools` builds one into .tools/bin (with Go), or put Jaeger v2 on PATH, or use the Kubernetes stack.'

/** Jaeger v2 with the stack's own config, on loopback (JAEGER_LISTEN_HOST), or undefined when none is installed. */
async function startJaeger (env: NodeJS.ProcessEnv, runDir: string, signal?: AbortSignal): Promise<{ url: string, otlpUrl: string, child: Child } | undefined> {
  const binary = findExecutable('jaeger', env.PATH)
  if (binary === undefined) return undefined
  const host = '127.0.0.1'
  // The ports of jaeger/jaeger.yaml, the cluster's Jaeger's config too: health check, UI (and the query API), OTLP/HTTP in.
  const child = await startReady(binary, [`--config=${REPO_ROOT}jaeger/jaeger.yaml`], `http://${host}:13133/status`, {
    name: 'jaeger', env: { ...env, JAEGER_LISTEN_HOST: host }, output: { file: join(runDir, 'jaeger.log') }, detached: true, signal
  })
  return { url: `http://${host}:16686`, otlpUrl: `http://${host}:4318`, child }
}

/**
 * `runDir` holds the derived configs, every part's log and the Prometheus TSDB, which outlives a
 * restart. Without `alertmanagerPort` there is no Alertmanager and Prometheus sends no alerts.
 * `load` starts the load generator. `log` gets what the terminal shows: the status lines, then
 * each part's warnings and errors from its log once it is ready. `signal` aborts the start-up
 * (Ctrl-C). Tests only: the Prometheus 3.x binary instead of the system's, a shorter `interval`.
 */
export interface StackOptions { servicePort: number, prometheusPort: number, grafanaPort: number, alertmanagerPort?: number, runDir: string, load?: boolean, log?: (message: string) => void, env?: NodeJS.ProcessEnv, signal?: AbortSignal, prometheus?: string, interval?: string }

/** The running stack: its children in start order, stopped the last started first. */
export interface LocalStack { serviceUrl: string, prometheusUrl: string, jaegerUrl?: string, children: Child[], stop: () => Promise<void> }

/**
 * The local run: Jaeger (service-a then exports every trace to it), service-a and the load
 * generator, Alertmanager (before Prometheus, so that its first alerts find it), Prometheus with
 * the stack's config and rules (only the targets derived), Grafana; each optional part when it is
 * installed. Resolves once Prometheus has scraped service-a; on a failure, stops what it started and throws.
 */
export async function startLocalStack (options: StackOptions): Promise<LocalStack> {
  const { signal, runDir, log = (message: string) => console.log(message) } = options
  const env = options.env ?? process.env
  const children: Child[] = []
  const logs = followLogs(log)
  // The parts' last words first (a part that died may have said why), then nothing more: what
  // the parts log as they stop (Prometheus warns that it got SIGTERM) is no news.
  const stop = async (): Promise<void> => {
    logs.stop()
    for (const child of children.splice(0).reverse()) await child.stop()
  }
  /**
   * Starts a part that appends to `file` (`start` resolves once it is ready, or to undefined when
   * it is not installed); from then on the terminal gets its notable lines, from its start on.
   * A part that fails to start says why in the error instead.
   */
  const followed = async <T> (part: string, file: string, start: () => Promise<T>): Promise<T> => {
    const from = sizeOf(file)
    const started = await start()
    if (started !== undefined) logs.follow(part, file, from)
    return started
  }
  /** A Node.js part from its package's sources, its output (JSON, as in production) appended to `file`. */
  const node = async (name: string, cwd: string, script: string, childEnv: NodeJS.ProcessEnv, file: string, ready: (child: Child, from: number) => Promise<void>): Promise<void> => {
    const from = sizeOf(file)
    const child = start(process.execPath, [script], { name, cwd, env: { ...env, ...childEnv }, output: { file }, detached: true })
    children.push(child)
    await ready(child, from)
    logs.follow(name, file, from)
  }
  try {
    mkdirSync(runDir, { recursive: true })
    const jaeger = await followed('jaeger', join(runDir, 'jaeger.log'), async () => await startJaeger(env, runDir, signal))
    if (jaeger === undefined) log(JAEGER_MISSING)
    else {
      children.push(jaeger.child)
      log(`Jaeger        ${jaeger.url}  (service-a's traces, every one sampled; log ${join(runDir, 'jaeger.log')})`)
    }
    const tracing = jaeger === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, OTEL_SERVICE_NAME: 'service-a' }
    const serviceUrl = `http://127.0.0.1:${options.servicePort}`
    const serviceLog = join(runDir, 'service-a.log')
    await node('service-a', PATHS.serviceA, 'src/server.ts', { PORT: String(options.servicePort), HOST: '127.0.0.1', ...tracing }, serviceLog,
      async (child) => await untilReady(child, `${serviceUrl}/readyz`, { timeoutMs: 60_000, signal }))
    log(`service-a     ${serviceUrl}  (access log ${serviceLog})`)
    if (options.load === true) {
      const logFile = join(runDir, 'load-generator.log')
      await node('load-generator', PATHS.loadGenerator, 'src/main.ts', { TARGET_URL: serviceUrl }, logFile, async (child, from) =>
        // This run's first line, not one of an earlier run's in the same file.
        await untilReady(child, async () => readFileSync(logFile).subarray(from).includes('"msg":"load generator started"'), { what: 'the load generator has started', signal }))
      log(`load          ${serviceUrl}  gets a few requests a second from the load generator (log ${logFile}; LOAD=0 turns it off)`)
    }

    let alertmanagerUrl: string | undefined
    const alertmanager = options.alertmanagerPort === undefined ? undefined : findAlertmanager(env.PATH)
    if (options.alertmanagerPort !== undefined && alertmanager === undefined) log(ALERTMANAGER_MISSING)
    if (alertmanager !== undefined) {
      const dir = join(runDir, 'alertmanager')
      const started = await followed('alertmanager', join(dir, 'alertmanager.log'), async () =>
        await startAlertmanager({ binary: alertmanager, configFile: ALERTMANAGER_CONFIG, dataDir: join(dir, 'data'), port: options.alertmanagerPort!, logFile: join(dir, 'alertmanager.log'), signal }))
      children.push(started.child)
      alertmanagerUrl = started.url
      log(`Alertmanager  ${started.url}  (its default receiver, replace-me, notifies nobody; log ${join(dir, 'alertmanager.log')})`)
    }

    const dir = join(runDir, 'prometheus')
    mkdirSync(dir, { recursive: true })
    const configFile = join(dir, 'prometheus.yml')
    writeFileSync(configFile, deriveLocalConfig(PATHS.prometheusConfig, {
      serviceTarget: `127.0.0.1:${options.servicePort}`,
      prometheusTarget: `127.0.0.1:${options.prometheusPort}`,
      alertmanagerTarget: alertmanagerUrl?.replace('http://', ''),
      interval: options.interval
    }))
    const logFile = join(dir, 'prometheus.log')
    // As in its Deployment: keeps the exemplars that link service-a's latency buckets to traces.
    const prometheus = await followed('prometheus', logFile, async () =>
      await startPrometheus({ configFile, dataDir: join(dir, 'data'), port: options.prometheusPort, logFile, binary: options.prometheus, args: ['--enable-feature=exemplar-storage'], signal }))
    children.push(prometheus.child)
    log(`Prometheus    ${prometheus.url}  is up; waiting for its first scrape of service-a (within one scrape interval)`)
    const api = new PrometheusApi(prometheus.url)
    await waitFor('Prometheus to scrape service-a successfully', async () =>
      (await api.targets()).some((target) => target.labels.job === 'service-a' && target.health === 'up') || undefined, 60_000, signal)
    log(`Prometheus    ${prometheus.url}  scrapes service-a (data in ${join(dir, 'data')}, log ${logFile})`)

    const grafana = findGrafana(env)
    if (grafana === undefined) log(GRAFANA_MISSING)
    else {
      const started = await followed('grafana', join(runDir, 'grafana', 'grafana.log'), async () =>
        await startGrafana(grafana, { port: options.grafanaPort, prometheusUrl: prometheus.url, alertmanagerUrl, jaegerUrl: jaeger?.url, runDir, signal }))
      children.push(started.child)
      log(`Grafana       ${started.url}  (home dashboard: service-a)`)
    }
    return { serviceUrl, prometheusUrl: prometheus.url, jaegerUrl: jaeger?.url, children, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
