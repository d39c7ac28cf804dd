import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { hardeningProblems, observe, securityArgs } from '../../src/containers/hardening.ts'
import { IMAGES, podman, podmanWithInput } from '../../src/containers/podman.ts'
import { ensureGrafanaSecret, render } from '../../src/manifests/render.ts'
import { fetchJson, waitFor } from '../../src/support/http.ts'
import { PATHS } from '../../src/support/paths.ts'
import { incarnation, runServiceA } from './helpers.ts'

const SOURCE = 'src/routes/hello.ts'

// What `skaffold dev` deploys: overlays/dev, whose only change is a writable root filesystem.
await ensureGrafanaSecret()
const deployment = (await render('overlays/dev')).find((object) => object.kind === 'Deployment' && object.metadata.name === 'service-a')!
const podSpec = deployment.spec.template.spec
const asInTheDevOverlay = securityArgs(podSpec, podSpec.containers[0])

/**
 * What Skaffold's manual sync does for `src/**\/*.ts` → /app: a tar of the changed files,
 * extracted inside the running container by the container's own user (kubectl exec ... tar).
 */
function syncTar (relativePath: string, content: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'sync-'))
  try {
    mkdirSync(join(dir, relativePath, '..'), { recursive: true })
    writeFileSync(join(dir, relativePath), content)
    return execFileSync('tar', ['-c', '-C', dir, relativePath])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

t.test('a TypeScript file synced into the running dev container changes the answer without a restart', async (t) => {
  const { name, url } = await runServiceA(t, IMAGES.dev, asInTheDevOverlay)
  t.same(hardeningProblems(await observe(name)), ['can write to its root filesystem'], 'hardened but for the writable root, as overlays/dev says')
  t.same(await fetchJson(`${url}/`), { message: 'Hello, world!' })
  const before = await incarnation(name)

  const original = readFileSync(`${PATHS.serviceA}/${SOURCE}`, 'utf8')
  t.ok(original.includes("'Hello, world!'"), `${SOURCE} holds the greeting this test changes`)
  const changed = original.replace("'Hello, world!'", "'Hello, synced world!'")
  await podmanWithInput(syncTar(SOURCE, changed), 'exec', '--interactive', name, 'tar', '-x', '-m', '-f', '-', '-C', '/app')

  await waitFor('node --watch to reload the synced file', async () => {
    const answer = await fetchJson<{ message: string }>(`${url}/`)
    return answer.message === 'Hello, synced world!' || undefined
  }, 20_000)
  t.equal(await incarnation(name), before, 'same container start and PID 1: no container restart')
  t.equal(await podman('exec', name, 'stat', '-c', '%u', `/app/${SOURCE}`), '1000', 'the sync ran as the non-root user')
})

t.test('a sync the container user may not write fails loudly', async (t) => {
  const { name } = await runServiceA(t, IMAGES.dev, asInTheDevOverlay)
  await t.rejects(podmanWithInput(syncTar('package.json', '{}'), 'exec', '--interactive', name, 'tar', '-x', '-f', '-', '-C', '/app'),
    /exited 2: .*Cannot open: (Permission denied|File exists)/)
})
