import { mkdirSync } from 'node:fs'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const PROMETHEUS_MISSING = 'prometheus is not installed: run scripts/install-prometheus.sh ' +
  '(it uses apt-get where available), or put a prometheus binary from https://prometheus.io/download/ on PATH'

export interface PrometheusOptions {
  configFile: string
  /** The TSDB folder; a restart on the same folder keeps the samples. */
  dataDir: string
  port: number
  /** Where its stdout and stderr go. */
  logFile: string
  readyTimeoutMs?: number
  signal?: AbortSignal
}

export interface Prometheus {
  url: string
  child: Child
  logFile: string
}

/** Starts the system's `prometheus` on a loopback port and resolves once /-/ready answers 200. */
export async function startPrometheus (options: PrometheusOptions): Promise<Prometheus> {
  const binary = findExecutable('prometheus')
  if (binary === undefined) throw new Error(PROMETHEUS_MISSING)
  mkdirSync(options.dataDir, { recursive: true })
  const { logFile } = options
  const url = `http://127.0.0.1:${options.port}`
  const child = await startReady(binary, [
    `--config.file=${options.configFile}`,
    `--storage.tsdb.path=${options.dataDir}`,
    `--web.listen-address=127.0.0.1:${options.port}`
  ], `${url}/-/ready`, { name: 'prometheus', output: { file: logFile }, detached: true, timeoutMs: options.readyTimeoutMs ?? 30_000, signal: options.signal })
  return { url, child, logFile }
}
