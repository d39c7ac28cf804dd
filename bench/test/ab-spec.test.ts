import t from 'tap'
import { cycleRatios, parseSide } from '../src/ab-spec.ts'

t.test('a side names a build directory and a log level, silent by default', async (t) => {
  t.same(parseSide('before=.run/bench/builds/v1'), { name: 'before', dir: '.run/bench/builds/v1', logLevel: 'silent' })
  t.same(parseSide('after=/tmp/b:info'), { name: 'after', dir: '/tmp/b', logLevel: 'info' })
})

t.test('a malformed side is refused', async (t) => {
  for (const spec of ['no-equals', '=dir', 'a=', 'a=dir:info:extra']) t.throws(() => parseSide(spec), /name=DIR/, spec)
})

t.test('ratios are taken within each cycle, so a slow cycle does not bias them', async (t) => {
  const ratios = cycleRatios([
    { fastify: { cpuSeconds: 1, requests: 100 }, a: { cpuSeconds: 1.2, requests: 100 } },
    { fastify: { cpuSeconds: 3, requests: 100 }, a: { cpuSeconds: 3.6, requests: 100 } }
  ], 'fastify')
  t.same(ratios.fastify, [1, 1])
  t.same(ratios.a!.map((r) => Number(r.toFixed(6))), [1.2, 1.2])
})

t.test('a burst with no responses is an error, not a ratio of Infinity', async (t) => {
  t.throws(() => cycleRatios([{ fastify: { cpuSeconds: 1, requests: 0 } }], 'fastify'), /no responses/)
})
