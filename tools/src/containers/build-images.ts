import { skaffoldBuild, startDockerApi } from './skaffold-build.ts'

/**
 * `make images TAG DEV_TAG`: service-a's image and its dev stage (the dev profile), built by the
 * real Skaffold through podman's Docker API, as the container tests build them.
 */
const [tag = 'latest', devTag = 'dev'] = process.argv.slice(2)
const api = await startDockerApi()
try {
  console.log(await skaffoldBuild(api.dockerHost, { tag }))
  console.log(await skaffoldBuild(api.dockerHost, { tag: devTag, profile: 'dev' }))
} finally {
  await api.stop()
}
