import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { skaffold } from '../manifests/render.ts'
import { startReady } from '../support/processes.ts'
import { PODMAN_ENV, podman } from './podman.ts'

/**
 * podman's Docker-compatible API on a private socket, for Skaffold's docker builder (no Docker
 * engine here). `stop` ends the service by its PID and removes the socket's folder.
 */
export async function startDockerApi (): Promise<{ dockerHost: string, stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'podman-api-'))
  const socket = join(dir, 'podman.sock')
  const service = await startReady('podman', ['system', 'service', '--time=0', `unix://${socket}`], async () => existsSync(socket),
    { name: 'podman system service', env: { ...process.env, ...PODMAN_ENV }, what: `${socket} to exist` })
  return {
    dockerHost: `unix://${socket}`,
    stop: async () => {
      await service.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Storage-only containers (`podman ps --external`): what a build leaves when told to keep its intermediate ones. */
const storageContainers = async (): Promise<string[]> =>
  (JSON.parse(await podman(['ps', '--all', '--external', '--format', 'json'])) as Array<{ Id: string, State: string }>).filter((c) => c.State === 'storage').map((c) => c.Id)

/**
 * `skaffold build --push=false` of service-a's artifact, tagged `tag`, through the API at
 * `dockerHost`; `profile: 'dev'` builds the Dockerfile's dev stage. Skaffold's artifact cache is
 * /dev/null, so that the build always reaches the builder (turning the cache off instead makes
 * Skaffold prune the artifact's older images: SkaffoldOptions.Prune). Returns the image's local
 * name: a Docker API names an unqualified image as Docker does, docker.io/library/NAME:TAG.
 */
export async function skaffoldBuild (dockerHost: string, options: { tag: string, profile?: string }): Promise<string> {
  const profile = options.profile === undefined ? [] : ['-p', options.profile]
  const before = new Set(await storageContainers())
  try {
    const output = await skaffold(['build', '--push=false', '--cache-file=/dev/null', '--quiet', '-t', options.tag, ...profile], { env: { ...process.env, DOCKER_HOST: dockerHost } })
    const { imageName, tag } = (JSON.parse(output) as { builds: Array<{ imageName: string, tag: string }> }).builds[0]!
    // Skaffold also tags each local build with its image ID (for its own deploys): none pile up.
    await podman(['untag', `docker.io/library/${tag}`, `docker.io/library/${tag}`])
    return `docker.io/library/${imageName}:${options.tag}`
  } finally {
    // Skaffold asks for `rm=0&forcerm=1` (Docker: forcerm wins, nothing is kept); podman 4.3's
    // Docker API keeps one storage-only container per stage. This build's are removed.
    const left = (await storageContainers()).filter((id) => !before.has(id))
    if (left.length > 0) await podman(['rm', '--force', ...left])
  }
}
