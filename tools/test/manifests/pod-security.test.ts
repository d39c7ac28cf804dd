import t from 'tap'
import { checkPodSecurity } from '../../src/manifests/pod-security.ts'
import { KUSTOMIZE_ROOTS } from '../../src/manifests/render.ts'
import { broken, container, rendered } from './fixtures.ts'

t.test('every pod of every root meets Pod Security "restricted" and the house rules', async (t) => {
  for (const dir of KUSTOMIZE_ROOTS) {
    // The dev overlay relaxes exactly one thing for skaffold's file sync.
    const options = dir === 'overlays/dev' ? { writableRoot: ['service-a'] } : {}
    t.same(checkPodSecurity(await rendered(dir), options), [], dir)
  }
})

t.test('the dev overlay writable root is the only exception, and only for service-a', async (t) => {
  t.same(checkPodSecurity(await rendered('overlays/dev')), [
    'Deployment/service-a: container service-a: readOnlyRootFilesystem must be true (writable paths are volumes)'
  ])
})

const cases: Array<[string, (d: any) => void, string]> = [
  ['runAsNonRoot missing', (d) => { delete d.spec.template.spec.securityContext.runAsNonRoot; delete container(d).securityContext.runAsNonRoot }, 'container prometheus: runAsNonRoot must be true'],
  ['a container overriding runAsNonRoot', (d) => { container(d).securityContext.runAsNonRoot = false }, 'container prometheus: runAsNonRoot must be true'],
  ['no numeric UID', (d) => { delete d.spec.template.spec.securityContext.runAsUser }, 'container prometheus: runAsUser must be a numeric non-root UID'],
  ['UID 0', (d) => { container(d).securityContext.runAsUser = 0 }, 'container prometheus: runAsUser must be a numeric non-root UID'],
  ['no seccomp profile', (d) => { delete d.spec.template.spec.securityContext.seccompProfile }, 'container prometheus: seccompProfile.type must be RuntimeDefault or Localhost'],
  ['seccomp Unconfined', (d) => { container(d).securityContext.seccompProfile = { type: 'Unconfined' } }, 'container prometheus: seccompProfile.type must be RuntimeDefault or Localhost'],
  ['privileged', (d) => { container(d).securityContext.privileged = true }, 'container prometheus: privileged must not be true'],
  ['privilege escalation allowed', (d) => { delete container(d).securityContext.allowPrivilegeEscalation }, 'container prometheus: allowPrivilegeEscalation must be false'],
  ['capabilities kept', (d) => { delete container(d).securityContext.capabilities }, 'container prometheus: capabilities must drop ALL'],
  ['a capability added', (d) => { container(d).securityContext.capabilities.add = ['NET_BIND_SERVICE', 'SYS_ADMIN'] }, 'container prometheus: capability SYS_ADMIN must not be added'],
  ['writable root', (d) => { delete container(d).securityContext }, 'container prometheus: readOnlyRootFilesystem must be true (writable paths are volumes)'],
  ['a host port', (d) => { container(d).ports[0].hostPort = 9090 }, 'container prometheus: hostPort 9090 must not be used'],
  ['host network', (d) => { d.spec.template.spec.hostNetwork = true }, 'hostNetwork must not be true'],
  ['host PID', (d) => { d.spec.template.spec.hostPID = true }, 'hostPID must not be true'],
  ['a hostPath volume', (d) => { d.spec.template.spec.volumes[2] = { name: 'data', hostPath: { path: '/data' } } }, 'volume data: type hostPath is not allowed'],
  ['a volume without type', (d) => { d.spec.template.spec.volumes[2] = { name: 'data' } }, 'volume data: type undefined is not allowed'],
  ['an init container running as root', (d) => {
    d.spec.template.spec.initContainers = [{ ...structuredClone(container(d)), name: 'init', securityContext: { ...container(d).securityContext, runAsUser: 0 } }]
  }, 'container init: runAsUser must be a numeric non-root UID']
]

for (const [name, change, message] of cases) {
  t.test(`fails on ${name}`, async (t) => {
    const errors = checkPodSecurity(broken(await rendered('prometheus'), 'Deployment', 'prometheus', change))
    t.ok(errors.includes(`Deployment/prometheus: ${message}`), errors.join('\n'))
  })
}

t.test('a pod without any security settings fails every rule', async (t) => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } }
  t.same(checkPodSecurity([pod]), [
    'Pod/p: container c: runAsNonRoot must be true',
    'Pod/p: container c: runAsUser must be a numeric non-root UID',
    'Pod/p: container c: seccompProfile.type must be RuntimeDefault or Localhost',
    'Pod/p: container c: allowPrivilegeEscalation must be false',
    'Pod/p: container c: capabilities must drop ALL',
    'Pod/p: container c: readOnlyRootFilesystem must be true (writable paths are volumes)'
  ])
})
