import { join } from 'node:path'
import { REPO_ROOT } from '../support/paths.ts'
import { findExecutable, startReady, type Child } from '../support/processes.ts'

export const JAEGER_MISSING = 'Jaeger: no jaeger binary on PATH, so the local run goes without traces. ' +
  '`make tools` builds one into .tools/bin (with Go), or put Jaeger v2 on PATH, or use the Kubernetes stack.'

/** Jaeger v2 with the stack's own config, on loopback (JAEGER_LISTEN_HOST), or undefined when none is installed. */
export async function startJaeger (env: NodeJS.ProcessEnv, runDir: string, signal?: AbortSignal): Promise<{ url: string, otlpUrl: string, child: Child } | undefined> {
  const binary = findExecutable('jaeger', env.PATH)
  if (binary === undefined) return undefined
  const host = '127.0.0.1'
  // The ports of jaeger/jaeger.yaml, the cluster's Jaeger's config too: health check, UI (and the query API), OTLP/HTTP in.
  const child = await startReady(binary, [`--config=${REPO_ROOT}jaeger/jaeger.yaml`], `http://${host}:13133/status`, {
    name: 'jaeger', env: { ...env, JAEGER_LISTEN_HOST: host }, output: { file: join(runDir, 'jaeger.log') }, detached: true, signal
  })
  return { url: `http://${host}:16686`, otlpUrl: `http://${host}:4318`, child }
}
