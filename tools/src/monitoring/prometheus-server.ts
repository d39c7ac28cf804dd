import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../support/paths.ts'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const PROMETHEUS_MISSING = 'prometheus is not installed: run scripts/install-prometheus.sh ' +
  '(it uses apt-get where available), or put a prometheus binary from https://prometheus.io/download/ on PATH'

/**
 * Prometheus 3.x, the cluster's major version, which the tests run; `make run` keeps the
 * system's (bookworm: 2.42, with the web UI that Debian's 3.x build lacks).
 */
export function prometheus3 (env: NodeJS.ProcessEnv = process.env): string {
  const binary = join(env.PROMETHEUS3_DIR ?? join(REPO_ROOT, '.tools/prometheus-3'), 'bin/prometheus')
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run hack/offline-workarounds/install-prometheus3.sh (make test-monitoring does)`)
  return binary
}

/** Starts Prometheus (the system's unless `binary` is given) on a loopback port and resolves once /-/ready says its TSDB is open. */
export async function startPrometheus ({ configFile, dataDir, port, logFile, binary, args = [], signal }: { configFile: string, dataDir: string, port: number, logFile: string, binary?: string, args?: string[], signal?: AbortSignal }): Promise<{ url: string, child: Child }> {
  const command = binary ?? findExecutable('prometheus')
  if (command === undefined) throw new Error(PROMETHEUS_MISSING)
  mkdirSync(dataDir, { recursive: true })
  const url = `http://127.0.0.1:${port}`
  const flags = [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, ...args]
  // A loaded machine replays a WAL slowly: the generous timeout is no test's budget.
  const child = await startReady(command, flags, `${url}/-/ready`, { name: 'prometheus', output: { file: logFile }, detached: true, timeoutMs: 60_000, signal })
  return { url, child }
}
