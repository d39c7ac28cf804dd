import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { configDrift } from '../../src/manifests/config-drift.ts'
import { REPO_ROOT } from '../../src/manifests/render.ts'

const read = async (path: string): Promise<string> => readFile(join(REPO_ROOT, path), 'utf8')

t.test("the per-pod component's prometheus.yml differs from the stack's only in the service-a job", async (t) => {
  const base = await read('prometheus/prometheus.yml')
  const variant = await read('k8s/components/per-pod-scraping/prometheus.yml')
  t.same(configDrift(base, variant, 'service-a'), [])
  t.not(base, variant)
})

t.test('any other difference is reported', async (t) => {
  const base = await read('prometheus/prometheus.yml')
  t.same(configDrift(base, base.replace('evaluation_interval: 15s', 'evaluation_interval: 30s'), 'service-a'), ['global differs'])
  t.same(configDrift(base, `${base}\nremote_write: [{ url: 'http://x' }]\n`, 'service-a'), ['remote_write differs'])
  t.same(configDrift(base, base.replace("'localhost:9090'", "'localhost:9091'"), 'service-a'), ['job prometheus differs'])
  t.same(configDrift(base, base.replace('job_name: prometheus', 'job_name: self'), 'service-a'), ['scrape jobs differ: service-a,prometheus vs service-a,self'])
  t.same(configDrift('global: {}', 'global: {}', 'service-a'), [])
})
