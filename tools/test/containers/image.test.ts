import { readFileSync } from 'node:fs'
import t from 'tap'
import { hardeningProblems, observe, securityArgs } from '../../src/containers/hardening.ts'
import { listApp, productionProblems } from '../../src/containers/image-content.ts'
import { IMAGES, podman } from '../../src/containers/podman.ts'
import { render } from '../../src/manifests/render.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { PATHS } from '../../src/support/paths.ts'
import { runServiceA } from './helpers.ts'

const manifest = JSON.parse(readFileSync(`${PATHS.serviceA}/package.json`, 'utf8'))
const deployment = (await render('service-a')).find((object) => object.kind === 'Deployment')!
const podSpec = deployment.spec.template.spec
// Run exactly as the Deployment runs it: its securityContext and emptyDirs as podman flags.
const asInTheDeployment = securityArgs(podSpec, podSpec.containers[0])

t.test('the final image holds dist/ and production dependencies only; its size is reported', async (t) => {
  const listing = await listApp(IMAGES.runtime)
  t.same(productionProblems(listing, manifest), [])
  t.same(listing.entries.sort(), ['dist', 'node_modules', 'package-lock.json', 'package.json'])
  // The same check sees what the dev stage holds: it would catch a leak into the final stage.
  t.match(productionProblems(await listApp(IMAGES.dev), manifest), [/holds dev dependencies: .*typescript/, /holds TypeScript sources: .*server\.ts/, /has no dist/])
  const config = JSON.parse(await podman('image', 'inspect', '--format', '{{json .Config}}', IMAGES.runtime))
  t.equal(config.User, '1000', 'a numeric user, which runAsNonRoot can verify')
  t.same(config.Cmd, ['node', 'dist/server.js'])
  t.ok('8080/tcp' in config.ExposedPorts)
  const size = Number(await podman('image', 'inspect', '--format', '{{.Size}}', IMAGES.runtime))
  const base = Number(await podman('image', 'inspect', '--format', '{{.Size}}', 'docker.io/library/node:' + readFileSync(`${PATHS.serviceA}/../.nvmrc`, 'utf8').trim() + '-bookworm-slim'))
  t.comment(`image ${IMAGES.runtime}: ${(size / 1e6).toFixed(1)} MB, of which ${((size - base) / 1e6).toFixed(1)} MB above the Node.js base image`)
  t.ok(size - base < 40e6, 'service-a adds less than 40 MB to its base image')
})

t.test('under the Deployment\'s securityContext it serves every endpoint, hardened', async (t) => {
  const { name, url } = await runServiceA(t, IMAGES.runtime, asInTheDeployment)
  t.same(hardeningProblems(await observe(name)), [])
  t.equal(await podman('exec', name, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline'), 'node dist/server.js', 'node is PID 1')
  t.same(await fetchJson(`${url}/`), { message: 'Hello, world!' })
  t.same(await fetchJson(`${url}/hello/podman`), { message: 'Hello, podman!' })
  t.equal((await request(`${url}/healthz`)).status, 200)
  t.equal((await request(`${url}/readyz`)).status, 200)
  const metrics = await (await request(`${url}/metrics`)).text()
  t.match(metrics, /^http_requests_total\{method="GET",route="\/hello\/:name",status_code="200"\} 1$/m)
  t.match(metrics, /^service_a_build_info\{.*\} 1$/m)
  t.match(metrics, /^process_resident_memory_bytes \d+/m)
})

t.test('the hardening check catches the same image run without the Deployment\'s securityContext', async (t) => {
  const { name } = await runServiceA(t, IMAGES.runtime, ['--user', '0'])
  t.match(hardeningProblems(await observe(name)), [/runs as root/, /effective capabilities/, /regain capabilities/, /may gain privileges/, /write to its root filesystem/])
})

t.test('SIGTERM to PID 1: readiness fails, the request in flight completes, exit code 0', async (t) => {
  const { name, url } = await runServiceA(t, IMAGES.runtime, asInTheDeployment, { SHUTDOWN_DELAY_MS: '1500' })
  const slow = fetchJson(`${url}/hello/slow?delay=3000`)
  await waitFor('the slow request to be in flight', async () => {
    const metrics = await (await request(`${url}/metrics`)).text()
    return /^http_requests_in_flight(\{[^}]*\})? 1$/m.test(metrics) || undefined
  }, 5_000)
  await podman('kill', '--signal', 'TERM', name)
  t.equal((await request(`${url}/readyz`)).status, 503, 'not ready once SIGTERM arrived')
  t.same(await slow, { message: 'Hello, slow!' })
  t.equal(await podman('wait', name), '0')
  t.match(await podman('logs', name), /"msg":"shutdown complete"/)
})
