import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ALERTMANAGER_CONFIG } from '../alerting/alertmanager-config.ts'
import { ALERTMANAGER_MISSING, findAlertmanager, startAlertmanager, type Alertmanager } from '../alerting/alertmanager-server.ts'
import { deriveLocalConfig } from '../monitoring/prometheus-config.ts'
import { PrometheusApi } from '../monitoring/prometheus-api.ts'
import { startPrometheus } from '../monitoring/prometheus-server.ts'
import { waitFor } from '../support/http.ts'
import { PATHS } from '../support/paths.ts'
import { start, untilReady, type Child } from '../support/processes.ts'
import { findGrafana, GRAFANA_MISSING, startGrafana } from './grafana.ts'

export interface StackOptions {
  servicePort: number
  prometheusPort: number
  grafanaPort: number
  /** Alertmanager's port; none: the run has no Alertmanager, and Prometheus sends no alerts. */
  alertmanagerPort?: number
  /** Holds the derived configs, logs and the Prometheus TSDB, which outlives a restart. */
  runDir: string
  /** The Prometheus executable; the system's on PATH (make run's) when not given. */
  prometheus?: string
  /** Tests only: a shorter scrape and evaluation interval. */
  interval?: string
  /** service-a's log file; the terminal when not given. */
  serviceLogFile?: string
  /** Runs service-a's load generator against it (make run does, unless LOAD=0); its log goes to runDir. */
  load?: boolean
  /** Where progress messages go. */
  log?: (message: string) => void
  env?: NodeJS.ProcessEnv
  /** Aborts the start-up (Ctrl-C): what was started is stopped and the promise rejects. */
  signal?: AbortSignal
}

export interface LocalStack {
  serviceUrl: string
  prometheusUrl: string
  grafanaUrl?: string
  /** Where Alertmanager runs, when it is installed. */
  alertmanagerUrl?: string
  /** Running children, in start order. */
  children: Child[]
  /** Stops every child, the last started first. */
  stop: () => Promise<void>
}

/**
 * The local run: service-a, then Alertmanager with the stack's config when one is installed,
 * then Prometheus with the stack's config and rules (only the targets derived), then Grafana
 * when one is installed. Resolves once Prometheus has scraped service-a successfully; on any
 * failure, stops what it had started and throws.
 */
export async function startLocalStack (options: StackOptions): Promise<LocalStack> {
  const { signal, log = (message: string) => console.log(message) } = options
  const children: Child[] = []
  const stop = async (): Promise<void> => { for (const child of children.splice(0).reverse()) await child.stop() }
  try {
    const serviceUrl = `http://127.0.0.1:${options.servicePort}`
    children.push(start(process.execPath, ['src/server.ts'], {
      name: 'service-a',
      cwd: PATHS.serviceA,
      env: { ...(options.env ?? process.env), PORT: String(options.servicePort), HOST: '127.0.0.1' },
      output: options.serviceLogFile === undefined ? 'inherit' : { file: options.serviceLogFile },
      detached: true
    }))
    await untilReady(children[0]!, `${serviceUrl}/readyz`, { timeoutMs: 60_000, signal })
    log(`service-a     ${serviceUrl}`)
    if (options.load === true) children.push(await startLoadGenerator(options, serviceUrl, log))

    // Alertmanager before Prometheus, so that Prometheus' first alerts find it.
    const alertmanager = await startLocalAlertmanager(options, log)
    if (alertmanager !== undefined) children.push(alertmanager.child)
    const alertmanagerUrl = alertmanager?.url

    const dir = join(options.runDir, 'prometheus')
    mkdirSync(dir, { recursive: true })
    const configFile = join(dir, 'prometheus.yml')
    writeFileSync(configFile, deriveLocalConfig(PATHS.prometheusConfig, {
      serviceTarget: `127.0.0.1:${options.servicePort}`,
      prometheusTarget: `127.0.0.1:${options.prometheusPort}`,
      alertmanagerTarget: alertmanagerUrl?.replace('http://', ''),
      interval: options.interval
    }))
    const logFile = join(dir, 'prometheus.log')
    const prometheus = await startPrometheus({ configFile, dataDir: join(dir, 'data'), port: options.prometheusPort, logFile, binary: options.prometheus, signal })
    children.push(prometheus.child)
    log(`Prometheus    ${prometheus.url}  is up; waiting for its first scrape of service-a (within one scrape interval)`)
    // The first scrape comes up to one interval (15 s) after the start.
    const api = new PrometheusApi(prometheus.url)
    await waitFor('Prometheus to scrape service-a successfully', async () =>
      (await api.targets()).some((target) => target.labels.job === 'service-a' && target.health === 'up') || undefined, 60_000, signal)
    log(`Prometheus    ${prometheus.url}  scrapes service-a (data in ${join(dir, 'data')}, log ${logFile})`)

    const grafana = findGrafana(options.env)
    if (grafana === undefined) {
      log(GRAFANA_MISSING)
      return { serviceUrl, prometheusUrl: prometheus.url, alertmanagerUrl, children, stop }
    }
    const started = await startGrafana(grafana, { port: options.grafanaPort, prometheusUrl: prometheus.url, alertmanagerUrl, runDir: options.runDir, signal })
    children.push(started.child)
    log(`Grafana       ${started.url}  (home dashboard: service-a)`)
    return { serviceUrl, prometheusUrl: prometheus.url, alertmanagerUrl, grafanaUrl: started.url, children, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/**
 * service-a's load generator (its src/load-generator.ts, the Deployment's entry point in the
 * cluster) at its default rate; its JSON lines, a summary a minute, go to a file, so that the
 * terminal keeps service-a's own log.
 */
async function startLoadGenerator (options: StackOptions, serviceUrl: string, log: (message: string) => void): Promise<Child> {
  mkdirSync(options.runDir, { recursive: true })
  const logFile = join(options.runDir, 'load-generator.log')
  const child = start(process.execPath, ['src/load-generator.ts'], {
    name: 'load-generator',
    cwd: PATHS.serviceA,
    env: { ...(options.env ?? process.env), TARGET_URL: serviceUrl },
    output: { file: logFile },
    detached: true
  })
  await untilReady(child, async () => child.output().includes('"msg":"load generator started"'), { what: 'the load generator has started', signal: options.signal })
  log(`load          ${serviceUrl}  gets a few requests a second from the load generator (log ${logFile}; LOAD=0 turns it off)`)
  return child
}

/** The stack's Alertmanager on its port, with alertmanager.yml as it is; none when not installed. */
async function startLocalAlertmanager (options: StackOptions, log: (message: string) => void): Promise<Alertmanager | undefined> {
  if (options.alertmanagerPort === undefined) return undefined
  const binary = findAlertmanager((options.env ?? process.env).PATH)
  if (binary === undefined) {
    log(ALERTMANAGER_MISSING)
    return undefined
  }
  const dir = join(options.runDir, 'alertmanager')
  const started = await startAlertmanager({
    binary, configFile: ALERTMANAGER_CONFIG, dataDir: join(dir, 'data'), port: options.alertmanagerPort, logFile: join(dir, 'alertmanager.log'), signal: options.signal
  })
  log(`Alertmanager  ${started.url}  (its default receiver, replace-me, notifies nobody; log ${join(dir, 'alertmanager.log')})`)
  return started
}
