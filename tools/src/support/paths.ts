import { fileURLToPath } from 'node:url'

/** The checkout's root, found from this file's place in it (tools/src/support/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The raw config files of the layout contract, the one source of truth of both runs. */
export const PATHS = {
  prometheusConfig: `${REPO_ROOT}prometheus/prometheus.yml`,
  prometheusRules: `${REPO_ROOT}prometheus/rules`,
  grafanaDatasources: `${REPO_ROOT}grafana/provisioning/datasources`,
  grafanaDashboardProviders: `${REPO_ROOT}grafana/provisioning/dashboards`,
  grafanaDashboards: `${REPO_ROOT}grafana/dashboards`,
  dashboard: `${REPO_ROOT}grafana/dashboards/service-a.json`,
  grafanaAdminSecret: `${REPO_ROOT}grafana/grafana-admin.secret.env`,
  serviceA: `${REPO_ROOT}service-a`,
  loadGenerator: `${REPO_ROOT}load-generator`,
  runDir: `${REPO_ROOT}.run`
} as const

/** Where `make tools` puts the pinned tools the tests run (hack/tools/install.sh: TOOLS_BIN) and the data files they read. */
export const TOOLS_DIR = process.env.TOOLS_DIR ?? `${REPO_ROOT}.tools`
export const TOOLS_BIN = process.env.TOOLS_BIN ?? `${TOOLS_DIR}/bin`
export const tool = (name: 'skaffold' | 'kubectl' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd' | 'kwok' | 'jaeger' | 'sloth'): string => `${TOOLS_BIN}/${name}`
