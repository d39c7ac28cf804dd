import { readFile } from 'node:fs/promises'
import t from 'tap'
import jsonPatch from 'fast-json-patch'
import { parse } from 'yaml'
import { checkSkaffold } from '../../src/manifests/skaffold.ts'
import { REPO_ROOT } from '../../src/support/paths.ts'
import { add, remove, rendered, replace, type Change } from './fixtures.ts'

const skaffold = parse(await readFile(`${REPO_ROOT}skaffold.yaml`, 'utf8')) as unknown

/** skaffold.yaml with JSON patch operations applied (each must apply). */
const skaffoldWith = (...changes: Change[]): unknown => changes.reduce((config, change) => jsonPatch.applyOperation(config, change as jsonPatch.Operation, true).newDocument, structuredClone(skaffold))

t.test('skaffold.yaml passes, as `skaffold run` and as `skaffold dev` (the dev profile) read it', async (t) => {
  t.same(await checkSkaffold(skaffold, undefined, rendered), [])
  t.same(await checkSkaffold(skaffold, 'dev', rendered), [])
})

const cases: Array<[string, unknown, string | undefined, string[]]> = [
  ['misspelled and unknown fields', skaffoldWith(add('/build/artifacts/0/contxt', 'service-a'), add('/portForward/0/localport', 9000), replace('/apiVersion', 'skaffold/v2beta29')), undefined, [
    'skaffold.yaml /apiVersion: must be equal to constant',
    'skaffold.yaml /build/artifacts/0: must NOT have additional properties "contxt"',
    'skaffold.yaml /portForward/0: must NOT have additional properties "localport"']],
  ['a document that is no object', 'apiVersion: x', undefined, ['skaffold.yaml (root): must be object']],
  ['a port forward to a missing port, Service or namespace, or to a pod', skaffoldWith(replace('/portForward/0/port', 8080), replace('/portForward/1/resourceName', 'prom'), remove('/portForward/2/namespace'),
    add('/portForward/-', { resourceType: 'pod', resourceName: 'x', port: 1 })), undefined, [
    'skaffold.yaml: port forward service-a:8080 in namespace metrics-stack is no port of Service service-a',
    'skaffold.yaml: port forward prom:9090 in namespace metrics-stack is no Service of the stack (prom)',
    'skaffold.yaml: port forward grafana:3000 in namespace undefined is no Service of the stack (grafana)',
    'skaffold.yaml: port forward to pod x: only Services are checked']],
  ['an artifact no pod runs, so a bare image no artifact builds', skaffoldWith(replace('/build/artifacts/0/image', 'service-b')), undefined, [
    'skaffold.yaml: artifact service-b is the image of no container', 'skaffold.yaml: image service-a is built by no artifact']],
  ['a kustomize path that no test checks, and a missing hook script', skaffoldWith(replace('/manifests/kustomize/paths', ['k8s', 'overlays/prod']), replace('/manifests/hooks/before/0/host/command/1', 'scripts/grafana-secret.sh')), undefined, [
    'skaffold.yaml: kustomize path overlays/prod is no root that the tests check', 'skaffold.yaml: hook script scripts/grafana-secret.sh does not exist']],
  ['a docker target that is no stage of the Dockerfile', skaffoldWith(replace('/profiles/0/patches/0/value', 'debug')), 'dev', ['skaffold.yaml: artifact service-a: target debug is no stage of service-a/Dockerfile']],
  ['a profile patch on a path that does not exist', skaffoldWith(replace('/profiles/0/patches/0/path', '/build/artifacts/3/docker/target')), 'dev', [
    'skaffold.yaml: profile dev: Cannot perform an `add` operation at the desired path']],
  ['an unknown profile', skaffold, 'prod', ['skaffold.yaml: no profile prod']]
]

for (const [what, config, profile, messages] of cases) {
  t.test(`skaffold.yaml with ${what} fails`, async (t) => {
    t.same(await checkSkaffold(config, profile, rendered), messages)
  })
}
