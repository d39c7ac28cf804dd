import { readFileSync } from 'node:fs'
import t from 'tap'
import { hardeningProblems } from '../../src/containers/hardening.ts'
import { productionProblems } from '../../src/containers/image-content.ts'
import { IMAGES, podman } from '../../src/containers/podman.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'
import { playServiceA } from './helpers.ts'

const [manifest, lockfile] = ['package.json', 'package-lock.json'].map((file) => JSON.parse(readFileSync(`${PATHS.serviceA}/${file}`, 'utf8')))

t.test('the final image holds dist/ and production dependencies only; its size is reported', async (t) => {
  t.same(await productionProblems(IMAGES.runtime, manifest, lockfile), [])
  // The same check sees what the dev stage holds, or a dependency the image lacks: it would catch a leak.
  t.match(await productionProblems(IMAGES.dev, manifest, lockfile), [/holds dev dependencies: .*typescript/, /holds TypeScript sources: src\//, /has no dist/])
  t.same(await productionProblems(IMAGES.runtime, { dependencies: { ...manifest.dependencies, 'left-pad': '1' } }, lockfile), ['lacks dependencies: left-pad'])
  const config = JSON.parse(await podman(['image', 'inspect', '--format', '{{json .Config}}', IMAGES.runtime]))
  t.equal(config.User, '1000', 'a numeric user, which runAsNonRoot can verify')
  t.same(config.Cmd, ['node', 'dist/server.js'])
  t.ok('8080/tcp' in config.ExposedPorts)
  const base = `docker.io/library/node:${readFileSync(`${REPO_ROOT}.nvmrc`, 'utf8').trim()}-bookworm-slim`
  const [size, baseSize] = await Promise.all([IMAGES.runtime, base].map(async (image) => Number(await podman(['image', 'inspect', '--format', '{{.Size}}', image]))))
  t.comment(`image ${IMAGES.runtime}: ${(size! / 1e6).toFixed(1)} MB, of which ${((size! - baseSize!) / 1e6).toFixed(1)} MB above the Node.js base image`)
  t.ok(size! - baseSize! < 40e6, 'service-a adds less than 40 MB to its base image')
})

t.test("the hardening check names every weakness of service-a's Deployment stripped of its securityContext", async (t) => {
  const { name } = await playServiceA(t, IMAGES.runtime, {
    change: ({ metadata, spec }) => {
      spec!.securityContext = { runAsUser: 0 }
      spec!.containers[0]!.securityContext = {}
      // podman 4.3's kube play reads seccomp from this annotation only, not from seccompProfile.
      metadata!.annotations = { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' }
    }
  })
  t.same((await hardeningProblems(name)).map((problem) => problem.replace(/ \(.*\)$/, '')), [
    'runs as root', 'has effective capabilities', 'could regain capabilities', 'may gain privileges', 'runs without a seccomp filter', 'can write to its root filesystem'])
})

t.test('SIGTERM to PID 1: readiness fails, the request in flight completes, exit code 0', async (t) => {
  // Its exit is final here (no restart), and readiness fails for 3 s before the server closes.
  const { name, url } = await playServiceA(t, IMAGES.runtime, {
    change: ({ spec }) => {
      spec!.restartPolicy = 'Never'
      spec!.containers[0]!.env!.find((e) => e.name === 'SHUTDOWN_DELAY_MS')!.value = '3000'
    }
  })
  // Longer than the tools' usual request timeout: this request is slow on purpose.
  const slow = fetchJson(`${url}/hello/slow?delay=5000`, { signal: AbortSignal.timeout(30_000) })
  await waitFor('the slow request to be in flight', async () => /^http_requests_in_flight(\{[^}]*\})? 1$/m.test(await (await request(`${url}/metrics`)).text()) || undefined, 5_000)
  await podman(['kill', '--signal', 'TERM', name])
  // Within the 3 s of SHUTDOWN_DELAY_MS: the signal reaches node a moment after `podman kill` returns.
  await waitFor('/readyz to answer 503 once SIGTERM arrived', async () => (await request(`${url}/readyz`)).status === 503 || undefined, 2_500)
  t.same(await slow, { message: 'Hello, slow!' })
  t.equal(await podman(['wait', name]), '0')
  t.match(await podman(['logs', name]), /"msg":"shutdown complete"/)
})
