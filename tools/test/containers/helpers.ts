import type { V1PodTemplateSpec } from '@kubernetes/client-node'
import type { Test } from 'tap'
import { prepareStack } from '../../src/containers/kube-play.ts'
import { requireImage, uniqueName } from '../../src/containers/podman.ts'
import { ofKind } from '../../src/manifests/objects.ts'
import { skaffoldRender } from '../../src/manifests/render.ts'

/**
 * service-a's Deployment as Skaffold renders it (with `profile`), run with `image` by podman kube
 * play, once ready; `change` breaks or adapts its pod template where a test needs that. Removed in
 * teardown, also when the test fails.
 */
export async function playServiceA (t: Test, image: string, options: { profile?: string, change?: (template: V1PodTemplateSpec) => void } = {}): Promise<{ name: string, url: string }> {
  await requireImage(image)
  const deployments = ofKind(await skaffoldRender({ tag: 'test', profile: options.profile }), 'Deployment').filter((d) => d.metadata?.name === 'service-a')
  deployments[0]!.spec!.template.spec!.containers[0]!.image = image
  options.change?.(deployments[0]!.spec!.template)
  const stack = await prepareStack(deployments, `-${uniqueName('t')}`)
  t.teardown(stack.down)
  await stack.play()
  return { name: (await stack.containers('service-a'))[0]!, url: stack.urls['service-a']! }
}
