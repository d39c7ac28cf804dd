import { mkdirSync } from 'node:fs'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const ALERTMANAGER_MISSING = 'Alertmanager: no prometheus-alertmanager (or alertmanager) binary on PATH, ' +
  'so the local run goes without it. Run scripts/install-alertmanager.sh (Debian\'s package, with apt-get), ' +
  'or put an alertmanager binary from https://prometheus.io/download/#alertmanager on PATH.'

/** Debian's binary is `prometheus-alertmanager`; upstream's release tarball has `alertmanager`. */
export function findAlertmanager (path: string | undefined = process.env.PATH): string | undefined {
  return findExecutable('prometheus-alertmanager', path) ?? findExecutable('alertmanager', path)
}

export interface AlertmanagerOptions {
  binary: string
  configFile: string
  /** Silences and the notification log; a restart on the same folder keeps them. */
  dataDir: string
  port: number
  /** Where its stdout and stderr go. */
  logFile: string
  readyTimeoutMs?: number
  signal?: AbortSignal
}

export interface Alertmanager { url: string, child: Child }

/** Starts Alertmanager on a loopback port and resolves once /-/ready answers 200. */
export async function startAlertmanager (options: AlertmanagerOptions): Promise<Alertmanager> {
  mkdirSync(options.dataDir, { recursive: true })
  const url = `http://127.0.0.1:${options.port}`
  const child = await startReady(options.binary, [
    `--config.file=${options.configFile}`,
    `--storage.path=${options.dataDir}`,
    `--web.listen-address=127.0.0.1:${options.port}`,
    // As in the Deployment: one instance, no gossip port (which would also take :9094).
    '--cluster.listen-address='
  ], `${url}/-/ready`, { name: 'alertmanager', output: { file: options.logFile }, detached: true, timeoutMs: options.readyTimeoutMs ?? 30_000, signal: options.signal })
  return { url, child }
}
