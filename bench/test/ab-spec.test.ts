import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cycleRatios, parseSide } from '../src/ab-spec.ts'

test('a side names a build directory and a log level, silent by default', () => {
  assert.deepEqual(parseSide('before=.run/bench/builds/v1'), { name: 'before', dir: '.run/bench/builds/v1', logLevel: 'silent' })
  assert.deepEqual(parseSide('after=/tmp/b:info'), { name: 'after', dir: '/tmp/b', logLevel: 'info' })
})

test('a malformed side is refused', () => {
  for (const spec of ['no-equals', '=dir', 'a=', 'a=dir:info:extra']) assert.throws(() => parseSide(spec), /name=DIR/, spec)
})

test('ratios are taken within each cycle, so a slow cycle does not bias them', () => {
  const ratios = cycleRatios([
    { fastify: { cpuSeconds: 1, requests: 100 }, a: { cpuSeconds: 1.2, requests: 100 } },
    { fastify: { cpuSeconds: 3, requests: 100 }, a: { cpuSeconds: 3.6, requests: 100 } }
  ], 'fastify')
  assert.deepEqual(ratios.fastify, [1, 1])
  assert.deepEqual(ratios.a!.map((r) => Number(r.toFixed(6))), [1.2, 1.2])
})

test('a burst with no responses is an error, not a ratio of Infinity', () => {
  assert.throws(() => cycleRatios([{ fastify: { cpuSeconds: 1, requests: 0 } }], 'fastify'), /no responses/)
})
