import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PrometheusApi } from '../monitoring/prometheus-api.ts'
import { deriveLocalConfig } from '../monitoring/prometheus-config.ts'
import { startPrometheus } from '../monitoring/prometheus-server.ts'
import { waitFor } from '../support/http.ts'
import { PATHS } from '../support/paths.ts'
import { start, untilReady, type Child } from '../support/processes.ts'
import { findGrafana, GRAFANA_MISSING, startGrafana } from './grafana.ts'

export interface StackOptions {
  servicePort: number
  prometheusPort: number
  grafanaPort: number
  /** Holds the derived configs, logs and the Prometheus TSDB, which outlives a restart. */
  runDir: string
  /** Tests only: a shorter scrape and evaluation interval. */
  interval?: string
  /** service-a's log file; the terminal when not given. */
  serviceLogFile?: string
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
  /** Running children, in start order. */
  children: Child[]
  /** Stops every child, the last started first. */
  stop: () => Promise<void>
}

/**
 * The local run: service-a, then Prometheus with the stack's config and rules (only the
 * targets derived), then Grafana when one is installed. Resolves once Prometheus has scraped
 * service-a successfully; on any failure, stops what it had started and throws.
 */
export async function startLocalStack (options: StackOptions): Promise<LocalStack> {
  const log = options.log ?? ((message: string) => console.log(message))
  const children: Child[] = []
  const stop = async (): Promise<void> => {
    for (const child of children.splice(0).reverse()) await child.stop()
  }
  try {
    const serviceUrl = `http://127.0.0.1:${options.servicePort}`
    const service = start(process.execPath, ['src/server.ts'], {
      name: 'service-a',
      cwd: PATHS.serviceA,
      env: { ...(options.env ?? process.env), PORT: String(options.servicePort), HOST: '127.0.0.1' },
      output: options.serviceLogFile === undefined ? 'inherit' : { file: options.serviceLogFile },
      detached: true
    })
    children.push(service)
    const { signal } = options
    await untilReady(service, `${serviceUrl}/readyz`, { timeoutMs: 30_000, signal })
    log(`service-a     ${serviceUrl}`)

    const promDir = join(options.runDir, 'prometheus')
    mkdirSync(promDir, { recursive: true })
    const configFile = join(promDir, 'prometheus.yml')
    writeFileSync(configFile, deriveLocalConfig(PATHS.prometheusConfig, {
      serviceTarget: `127.0.0.1:${options.servicePort}`,
      prometheusTarget: `127.0.0.1:${options.prometheusPort}`,
      interval: options.interval
    }))
    const prometheus = await startPrometheus({ configFile, dataDir: join(promDir, 'data'), port: options.prometheusPort, logFile: join(promDir, 'prometheus.log'), signal })
    children.push(prometheus.child)
    log(`Prometheus    ${prometheus.url}  is up; waiting for its first scrape of service-a (within one scrape interval)`)
    await waitForServiceTarget(new PrometheusApi(prometheus.url), signal)
    log(`Prometheus    ${prometheus.url}  scrapes service-a (data in ${join(promDir, 'data')}, log ${prometheus.logFile})`)

    const grafana = findGrafana(options.env)
    let grafanaUrl: string | undefined
    if (grafana === undefined) {
      log(GRAFANA_MISSING)
    } else {
      const started = await startGrafana(grafana, { port: options.grafanaPort, prometheusUrl: prometheus.url, runDir: options.runDir, signal })
      children.push(started.child)
      grafanaUrl = started.url
      log(`Grafana       ${grafanaUrl}  (home dashboard: service-a)`)
    }
    return { serviceUrl, prometheusUrl: prometheus.url, grafanaUrl, children, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The first scrape comes ~5 s after Prometheus starts, whatever the interval. */
async function waitForServiceTarget (api: PrometheusApi, signal?: AbortSignal): Promise<void> {
  await waitFor('Prometheus to scrape service-a successfully', async () => {
    const targets = await api.targets()
    return targets.some((target) => target.labels.job === 'service-a' && target.health === 'up') ? true : undefined
  }, 60_000, signal)
}
