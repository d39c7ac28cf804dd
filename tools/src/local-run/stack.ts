import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ALERTMANAGER_CONFIG, ALERTMANAGER_MISSING, findAlertmanager, startAlertmanager } from '../alerting/alertmanager.ts'
import { PrometheusApi } from '../monitoring/prometheus-api.ts'
import { deriveLocalConfig } from '../monitoring/prometheus-config.ts'
import { startPrometheus } from '../monitoring/prometheus-server.ts'
import { waitFor } from '../support/http.ts'
import { PATHS } from '../support/paths.ts'
import { start, untilReady, type Child } from '../support/processes.ts'
import { findGrafana, GRAFANA_MISSING, startGrafana } from './grafana.ts'
import { JAEGER_MISSING, startJaeger } from './jaeger.ts'

/**
 * `runDir` holds the derived configs, logs and the Prometheus TSDB, which outlives a restart.
 * Without `alertmanagerPort` there is no Alertmanager and Prometheus sends no alerts. `load`
 * starts service-a's load generator. `signal` aborts the start-up (Ctrl-C). Tests only: the
 * Prometheus 3.x binary instead of the system's, a shorter `interval`, service-a's log in a file.
 */
export interface StackOptions { servicePort: number, prometheusPort: number, grafanaPort: number, alertmanagerPort?: number, runDir: string, load?: boolean, log?: (message: string) => void, env?: NodeJS.ProcessEnv, signal?: AbortSignal, prometheus?: string, interval?: string, serviceLogFile?: string }

/** The running stack: its children in start order, stopped the last started first. */
export interface LocalStack { serviceUrl: string, prometheusUrl: string, jaegerUrl?: string, children: Child[], stop: () => Promise<void> }

/**
 * The local run: Jaeger (service-a then exports every trace to it), service-a and its load
 * generator, Alertmanager (before Prometheus, so that its first alerts find it), Prometheus with
 * the stack's config and rules (only the targets derived), Grafana; each optional part when it is
 * installed. Resolves once Prometheus has scraped service-a; on a failure, stops what it started and throws.
 */
export async function startLocalStack (options: StackOptions): Promise<LocalStack> {
  const { signal, runDir, log = (message: string) => console.log(message) } = options
  const env = options.env ?? process.env
  const children: Child[] = []
  const stop = async (): Promise<void> => { for (const child of children.splice(0).reverse()) await child.stop() }
  const service = (name: string, script: string, childEnv: NodeJS.ProcessEnv, output: 'inherit' | { file: string }): Child =>
    children[children.push(start(process.execPath, [script], { name, cwd: PATHS.serviceA, env: { ...env, ...childEnv }, output, detached: true })) - 1]!
  try {
    mkdirSync(runDir, { recursive: true })
    const jaeger = await startJaeger(env, runDir, signal)
    if (jaeger === undefined) log(JAEGER_MISSING)
    else {
      children.push(jaeger.child)
      log(`Jaeger        ${jaeger.url}  (service-a's traces, every one sampled; log ${join(runDir, 'jaeger.log')})`)
    }
    const tracing = jaeger === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpUrl, OTEL_SERVICE_NAME: 'service-a' }
    const serviceUrl = `http://127.0.0.1:${options.servicePort}`
    const serviceOutput = options.serviceLogFile === undefined ? 'inherit' : { file: options.serviceLogFile }
    await untilReady(service('service-a', 'src/server.ts', { PORT: String(options.servicePort), HOST: '127.0.0.1', ...tracing }, serviceOutput), `${serviceUrl}/readyz`, { timeoutMs: 60_000, signal })
    log(`service-a     ${serviceUrl}`)
    if (options.load === true) {
      // Its JSON lines, a summary a minute, go to a file: the terminal keeps service-a's own log.
      const logFile = join(runDir, 'load-generator.log')
      const generator = service('load-generator', 'src/load-generator.ts', { TARGET_URL: serviceUrl }, { file: logFile })
      await untilReady(generator, async () => generator.output().includes('"msg":"load generator started"'), { what: 'the load generator has started', signal })
      log(`load          ${serviceUrl}  gets a few requests a second from the load generator (log ${logFile}; LOAD=0 turns it off)`)
    }

    let alertmanagerUrl: string | undefined
    const alertmanager = options.alertmanagerPort === undefined ? undefined : findAlertmanager(env.PATH)
    if (options.alertmanagerPort !== undefined && alertmanager === undefined) log(ALERTMANAGER_MISSING)
    if (alertmanager !== undefined) {
      const dir = join(runDir, 'alertmanager')
      const started = await startAlertmanager({ binary: alertmanager, configFile: ALERTMANAGER_CONFIG, dataDir: join(dir, 'data'), port: options.alertmanagerPort!, logFile: join(dir, 'alertmanager.log'), signal })
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
    const prometheus = await startPrometheus({ configFile, dataDir: join(dir, 'data'), port: options.prometheusPort, logFile, binary: options.prometheus, args: ['--enable-feature=exemplar-storage'], signal })
    children.push(prometheus.child)
    log(`Prometheus    ${prometheus.url}  is up; waiting for its first scrape of service-a (within one scrape interval)`)
    const api = new PrometheusApi(prometheus.url)
    await waitFor('Prometheus to scrape service-a successfully', async () =>
      (await api.targets()).some((target) => target.labels.job === 'service-a' && target.health === 'up') || undefined, 60_000, signal)
    log(`Prometheus    ${prometheus.url}  scrapes service-a (data in ${join(dir, 'data')}, log ${logFile})`)

    const grafana = findGrafana(env)
    if (grafana === undefined) log(GRAFANA_MISSING)
    else {
      const started = await startGrafana(grafana, { port: options.grafanaPort, prometheusUrl: prometheus.url, alertmanagerUrl, jaegerUrl: jaeger?.url, runDir, signal })
      children.push(started.child)
      log(`Grafana       ${started.url}  (home dashboard: service-a)`)
    }
    return { serviceUrl, prometheusUrl: prometheus.url, jaegerUrl: jaeger?.url, children, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
