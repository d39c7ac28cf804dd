import t from 'tap'
import { perRequest, schedule, spread } from '../src/bursts.ts'

t.test('every server gets one burst per cycle, each place in the order as often as the others, and not always the same neighbour', async (t) => {
  const servers = ['a', 'b', 'c', 'd']
  const cycles = schedule(servers, 8)
  for (const cycle of cycles) t.same([...cycle].sort(), servers)
  for (const server of servers) t.same(cycles.map((cycle) => cycle.indexOf(server)).sort(), [0, 0, 1, 1, 2, 2, 3, 3], `${server} takes every place twice`)
  const before = new Set(schedule(['a', 'b', 'c'], 6).map((cycle) => cycle[cycle.indexOf('b') - 1] ?? 'start'))
  t.ok(before.size > 1, `b follows ${[...before].join(', ')}`)
})

t.test('a round\'s CPU per request is the median burst: one burst hit by another process does not count, and a burst without responses fails', async (t) => {
  t.equal(perRequest([1.2, 1.2, 1.2, 3.0].map((cpuSeconds) => ({ server: 'x', cpuSeconds, requests: 1000 }))).get('x'), 0.0012)
  t.throws(() => perRequest([{ server: 'fastify', cpuSeconds: 1, requests: 0 }]), /no responses from fastify/, 'not Infinity')
})

t.test('the spread gives the median, the range and the range as ± of the median', async (t) => {
  const s = spread([1.0, 1.1, 0.92])
  t.same([s.median, s.min, s.max, s.plusMinus.toFixed(3)], [1.0, 0.92, 1.1, '0.100'])
  t.equal(spread([2]).plusMinus, 0)
})
