import { join } from 'node:path'
import { REPO_ROOT } from '../support/paths.ts'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const JAEGER_MISSING = 'Jaeger: no jaeger binary on PATH, so the local run goes without traces. ' +
  'Put Jaeger v2 (https://www.jaegertracing.io/download/) on PATH to see them, or use the Kubernetes stack.'

/**
 * The ports of jaeger/jaeger.yaml, the one config of the cluster's Jaeger and this one: OTLP/HTTP
 * in, the UI (and the API Grafana's datasource reads), the health check.
 */
export const JAEGER_PORTS = { otlpHttp: 4318, ui: 16686, health: 13133 } as const

/** Jaeger v2 with the stack's own config, on loopback (JAEGER_LISTEN_HOST), or undefined when none is installed. */
export async function startJaeger (env: NodeJS.ProcessEnv, runDir: string, signal?: AbortSignal): Promise<{ url: string, otlpUrl: string, child: Child } | undefined> {
  const binary = findExecutable('jaeger', env.PATH)
  if (binary === undefined) return undefined
  const host = '127.0.0.1'
  const child = await startReady(binary, [`--config=${REPO_ROOT}jaeger/jaeger.yaml`], `http://${host}:${JAEGER_PORTS.health}/status`, {
    name: 'jaeger', env: { ...env, JAEGER_LISTEN_HOST: host }, output: { file: join(runDir, 'jaeger.log') }, detached: true, signal
  })
  return { url: `http://${host}:${JAEGER_PORTS.ui}`, otlpUrl: `http://${host}:${JAEGER_PORTS.otlpHttp}`, child }
}
