import { Gauge, type Registry } from 'prom-client'

/**
 * The `<app>_build_info` convention: a constant 1 whose labels tell which build is running,
 * so that dashboards can join on it and show a deploy as a change of labels.
 * @see https://www.robustperception.io/exposing-the-software-version-to-prometheus/
 */
export function registerBuildInfo (registry: Registry, version: string): void {
  const info = new Gauge({
    name: 'service_a_build_info',
    help: 'Always 1; the labels name the running version of service-a and of Node.js.',
    labelNames: ['version', 'nodejs_version'],
    registers: [registry]
  })
  info.set({ version, nodejs_version: process.version }, 1)
}
