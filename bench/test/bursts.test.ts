import t from 'tap'
import { roundRatios, schedule, spread } from '../src/bursts.ts'

t.test('every server gets one burst per cycle, and each place in the order as often as the others', async (t) => {
  const servers = ['a', 'b', 'c', 'd']
  const cycles = schedule(servers, 8)
  for (const cycle of cycles) t.same([...cycle].sort(), servers)
  for (const server of servers) {
    const places = cycles.map((cycle) => cycle.indexOf(server)).sort()
    t.same(places, [0, 0, 1, 1, 2, 2, 3, 3], `${server} takes every place twice`)
  }
})

t.test('no server always follows the same neighbour', async (t) => {
  const cycles = schedule(['a', 'b', 'c'], 6)
  const before = new Set(cycles.map((cycle) => cycle[cycle.indexOf('b') - 1] ?? 'start'))
  t.ok(before.size > 1, `b follows ${[...before].join(', ')}`)
})

t.test('a round\'s ratio is total CPU over total requests against the baseline\'s, so a slow cycle cancels', async (t) => {
  const ratios = roundRatios([
    { server: 'fastify', cpuSeconds: 1, requests: 1000 }, { server: 'x', cpuSeconds: 1.2, requests: 1000 },
    // The machine got busy: both spend twice the CPU per request in this cycle.
    { server: 'x', cpuSeconds: 2.4, requests: 1000 }, { server: 'fastify', cpuSeconds: 2, requests: 1000 }
  ], 'fastify')
  t.equal(ratios.get('fastify'), 1)
  t.equal(ratios.get('x')!.toFixed(6), '1.200000')
})

t.test('a server or baseline without responses is an error, not a ratio of Infinity', async (t) => {
  t.throws(() => roundRatios([{ server: 'fastify', cpuSeconds: 1, requests: 0 }], 'fastify'), /no responses from fastify/)
  t.throws(() => roundRatios([{ server: 'x', cpuSeconds: 1, requests: 10 }], 'fastify'), /no responses from fastify/)
})

t.test('the spread gives the median, the range and the range as ± of the median', async (t) => {
  const s = spread([1.0, 1.1, 0.92])
  t.same([s.median, s.min, s.max, s.plusMinus.toFixed(3)], [1.0, 0.92, 1.1, '0.100'])
  t.equal(spread([2]).plusMinus, 0)
})
