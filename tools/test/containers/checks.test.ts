import t from 'tap'
import { hardeningProblems, securityArgs } from '../../src/containers/hardening.ts'
import { productionProblems } from '../../src/containers/image-content.ts'
import { requireImage, setting } from '../../src/containers/podman.ts'
import { render } from '../../src/manifests/render.ts'

const deployment = (await render('service-a')).find((object) => object.kind === 'Deployment')!
const podSpec = deployment.spec.template.spec

t.test("service-a's Deployment becomes the podman flags of a hardened pod", async (t) => {
  t.same(securityArgs(podSpec, podSpec.containers[0]), [
    '--user', '1000:1000',
    '--read-only', '--read-only-tmpfs=false',
    '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges',
    '--tmpfs', '/tmp'
  ])
})

t.test('each securityContext field maps to its flag, and an unknown seccomp profile is refused', async (t) => {
  t.same(securityArgs({}, { securityContext: { runAsUser: 7, capabilities: { add: ['NET_BIND_SERVICE'] } } }),
    ['--user', '7:7', '--cap-add', 'NET_BIND_SERVICE'])
  t.same(securityArgs({ volumes: [{ name: 'c', configMap: {} }] }, { volumeMounts: [{ name: 'c', mountPath: '/c' }] }), [])
  t.throws(() => securityArgs({ securityContext: { seccompProfile: { type: 'Unconfined' } } }, {}), /Unconfined has no podman equivalent/)
})

const readOnly = 'overlay / overlay ro,relatime,lowerdir=/l 0 0\ntmpfs /tmp tmpfs rw,nosuid 0 0\n'
const writable = readOnly.replace('/ overlay ro,', '/ overlay rw,')
const hardened = 'Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2\n'

t.test('the hardening check passes a hardened PID 1 and names each weakness', async (t) => {
  t.same(hardeningProblems({ status: hardened, mounts: readOnly }), [])
  const root = hardened.replace('Uid:\t1000\t1000', 'Uid:\t0\t0')
  t.match(hardeningProblems({ status: root, mounts: readOnly }), [/runs as root/])
  t.match(hardeningProblems({ status: 'nothing', mounts: '' }), [/unknown user/, /CapEff/, /CapBnd/, /NoNewPrivs/, /Seccomp/, /root filesystem/])
  const loose = hardened.replace('CapEff:\t0000000000000000', 'CapEff:\t00000000a80425fb').replace('NoNewPrivs:\t1', 'NoNewPrivs:\t0')
  t.match(hardeningProblems({ status: loose, mounts: writable }), [/effective capabilities/, /may gain privileges/, /write to its root filesystem/])
  t.match(hardeningProblems({ status: hardened, mounts: 'overlay /' }), [/write to its root filesystem/], 'a root mount without options is not taken for read-only')
})

const manifest = { dependencies: { fastify: '5' }, devDependencies: { typescript: '5', tap: '21' } }

t.test('the production-image check passes a clean listing and names what a dev image holds', async (t) => {
  t.same(productionProblems({ entries: ['dist', 'node_modules'], packages: ['fastify'], typescript: [] }, manifest), [])
  t.same(productionProblems({ entries: ['src'], packages: ['typescript', 'tap'], typescript: ['src/app.ts'] }, manifest), [
    'holds dev dependencies: typescript, tap',
    'lacks dependencies: fastify',
    'holds TypeScript sources: src/app.ts',
    'has no dist/'
  ])
  t.same(productionProblems({ entries: ['dist'], packages: [], typescript: [] }, {}), [])
})

t.test('settings come from the environment, else their defaults', async (t) => {
  t.equal(setting({ SERVICE_A_IMAGE: 'x:1' }, 'SERVICE_A_IMAGE', 'y:2'), 'x:1')
  t.equal(setting({}, 'SERVICE_A_IMAGE', 'y:2'), 'y:2')
})

t.test('a missing image fails with the command that builds it', async (t) => {
  await t.rejects(requireImage('localhost/no-such-image:never'), /image localhost\/no-such-image:never is missing: run `make images` first/)
})
