import { readFileSync } from 'node:fs'
import type { V1PodTemplateSpec } from '@kubernetes/client-node'
import { execa } from 'execa'
import t, { type Test } from 'tap'
import { hardeningProblems } from '../../src/containers/hardening.ts'
import { productionProblems } from '../../src/containers/image-content.ts'
import { prepareStack } from '../../src/containers/kube-play.ts'
import { IMAGES, podman, uniqueName } from '../../src/containers/podman.ts'
import { ofKind } from '../../src/manifests/objects.ts'
import { skaffoldRender } from '../../src/manifests/render.ts'
import { fetchJson, request, waitFor } from '../../src/support/http.ts'
import { PATHS, REPO_ROOT } from '../../src/support/paths.ts'

// service-a's images, the final one and the dev stage, as `make images` has Skaffold build them.

/**
 * service-a's Deployment as Skaffold renders it (with `profile`), run with `image` by podman kube
 * play, once ready; `change` breaks or adapts its pod template where a test needs that. Removed in
 * teardown, also when the test fails.
 */
async function playServiceA (t: Test, image: string, options: { profile?: string, change?: (template: V1PodTemplateSpec) => void } = {}): Promise<{ name: string, url: string }> {
  await podman(['image', 'exists', image]).catch(() => { throw new Error(`image ${image} is missing: run \`make images\` first (make test-containers does)`) })
  const deployments = ofKind(await skaffoldRender({ tag: 'test', profile: options.profile }), 'Deployment').filter((d) => d.metadata?.name === 'service-a')
  deployments[0]!.spec!.template.spec!.containers[0]!.image = image
  options.change?.(deployments[0]!.spec!.template)
  const stack = await prepareStack(deployments, `-${uniqueName('t')}`)
  t.teardown(stack.down)
  await stack.play()
  return { name: (await stack.containers('service-a'))[0]!, url: stack.urls['service-a']! }
}

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
  // ~17 MB of Fastify, pino and prom-client, and ~50 MB more since traces: OpenTelemetry's Node SDK
  // brings every exporter it can configure from the environment (service-a/README.md, "Tracing").
  t.ok(size! - baseSize! < 80e6, 'service-a adds less than 80 MB to its base image')
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

/**
 * What Skaffold's manual sync does for `src/**\/*.ts` → /app: a tar of the changed files,
 * extracted inside the running container by the container's own user (kubectl exec ... tar).
 */
async function sync (t: Test, container: string, path: string, content: string): Promise<string> {
  const dir = t.testdir(path.split('/').reduceRight<object | string>((inner, part) => ({ [part]: inner }), content) as Parameters<Test['testdir']>[0])
  const { stdout } = await execa('tar', ['-c', '-C', dir, path], { encoding: 'buffer' })
  return await podman(['exec', '--interactive', container, 'tar', '-x', '-m', '-f', '-', '-C', '/app'], Buffer.from(stdout))
}

/** The container's start time and PID 1 on the host: both change when it restarts. */
const incarnation = async (name: string): Promise<string> => await podman(['inspect', '--format', '{{.State.StartedAt}} {{.State.Pid}} {{.RestartCount}}', name])

// What `skaffold dev` deploys (its dev profile: overlays/dev), whose only change is a writable root filesystem.
t.test('a TypeScript file synced into the running dev container changes the answer without a restart', async (t) => {
  const { name, url } = await playServiceA(t, IMAGES.dev, { profile: 'dev' })
  t.same(await hardeningProblems(name), ['can write to its root filesystem'], 'hardened but for the writable root, as overlays/dev says')
  t.same(await fetchJson(`${url}/`), { message: 'Hello, world!' })
  const before = await incarnation(name)
  const original = readFileSync(`${PATHS.serviceA}/src/routes/hello.ts`, 'utf8')
  t.ok(original.includes("'Hello, world!'"), 'src/routes/hello.ts holds the greeting this test changes')
  await sync(t, name, 'src/routes/hello.ts', original.replace("'Hello, world!'", "'Hello, synced world!'"))
  await waitFor('node --watch to reload the synced file', async () => (await fetchJson<{ message: string }>(`${url}/`)).message === 'Hello, synced world!' || undefined, 30_000)
  t.equal(await incarnation(name), before, 'same container start and PID 1: no container restart')
  t.equal(await podman(['exec', name, 'stat', '-c', '%u', '/app/src/routes/hello.ts']), '1000', 'the sync ran as the non-root user')
  await t.rejects(sync(t, name, 'package.json', '{}'), /exit code 2[\s\S]*Cannot open: (Permission denied|File exists)/, 'a sync into a file the user may not write (root-owned) fails loudly')
})
