import t from 'tap'
import { fileAt, flag, mountFor } from '../../src/manifests/mounts.ts'

const pod: any = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }
const spec = {
  volumes: [
    { name: 'config', configMap: { name: 'config', items: [{ key: 'main', path: 'app.yml' }] } },
    { name: 'tls', secret: { secretName: 'tls' } },
    { name: 'gone', secret: { secretName: 'gone' } },
    { name: 'scratch', emptyDir: {} }
  ]
}
const container = {
  args: ['--config.file=/etc/app/app.yml', '--verbose'],
  volumeMounts: [
    { name: 'config', mountPath: '/etc/app' },
    { name: 'tls', mountPath: '/etc/app/tls' },
    { name: 'gone', mountPath: '/gone' },
    { name: 'scratch', mountPath: '/tmp' },
    { name: 'missing', mountPath: '/missing' }
  ]
}
const objects: any[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config' }, data: { main: 'a: 1' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls' }, data: { 'tls.crt': Buffer.from('CERT').toString('base64') } }
]

t.test('fileAt reads what a ConfigMap or Secret volume puts at a path', async (t) => {
  t.equal(fileAt(objects, pod, spec, container, '/etc/app/app.yml'), 'a: 1')
  t.equal(fileAt(objects, pod, spec, container, '/etc/app/tls/tls.crt'), 'CERT')
  t.equal(fileAt(objects, pod, spec, container, '/etc/app/tls/tls.key'), undefined)
  t.equal(fileAt(objects, pod, spec, container, '/gone/file'), undefined)
  t.equal(fileAt(objects, pod, spec, container, '/tmp/file'), undefined)
  t.equal(fileAt(objects, pod, spec, container, '/missing/file'), undefined)
  t.equal(fileAt(objects, pod, spec, container, '/elsewhere'), undefined)
  t.equal(fileAt(objects, pod, spec, {}, '/etc/app/app.yml'), undefined)
  t.equal(fileAt(objects, pod, {}, container, '/etc/app/app.yml'), undefined)
})

t.test('mountFor picks the deepest mount that holds the path', async (t) => {
  t.equal(mountFor(container, '/etc/app/tls/x').name, 'tls')
  t.equal(mountFor(container, '/etc/app').name, 'config')
  t.equal(mountFor(container, '/etc/apples'), undefined)
})

t.test('flag reads one --name=value argument', async (t) => {
  t.equal(flag(container, 'config.file'), '/etc/app/app.yml')
  t.equal(flag(container, 'verbose'), undefined)
  t.equal(flag({}, 'config.file'), undefined)
})
