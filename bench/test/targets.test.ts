import t from 'tap'
import { summarize, type MetricsSample, type RoundSample } from '../src/results.ts'
import { median, percentile } from '../src/stats.ts'
import { checkTargets } from '../src/targets.ts'

const MIB = 1024 * 1024

function round (variant: string, round: number, cpuUsPerRequest: number, spawnToReadyMs = 300, rssLoadBytes = 80 * MIB): RoundSample {
  return { variant, round, requests: 1000, reqPerSec: 1000, p50Ms: 1, p99Ms: 2, cpuUsPerRequest, rssIdleBytes: 60 * MIB, rssLoadBytes, spawnToReadyMs, logBytesPerRequest: 0 }
}

const metrics = (seriesAfter: number, renderP50Ms = 0.5): MetricsSample =>
  ({ variant: 'service-a', renderP50Ms, renderP99Ms: 2, samples: 400, pageBytes: 40_000, seriesBefore: 380, seriesAfter, randomPaths: 10_000 })

const verdicts = (rounds: RoundSample[], sample: MetricsSample) =>
  Object.fromEntries(checkTargets(rounds, [sample], 'fastify').map((c) => [c.target.split(' ≤')[0], c.pass]))

t.test('every target passes on figures within its limit', async (t) => {
  const rounds = [0, 1, 2].flatMap((r) => [round('fastify', r, 20), round('service-a-silent', r, 21), round('service-a', r, 27)])
  t.ok(Object.values(verdicts(rounds, metrics(380))).every(Boolean))
})

t.test('each target catches its own breach', async (t) => {
  const rounds = [0, 1, 2].flatMap((r) => [round('fastify', r, 20), round('service-a-silent', r, 23), round('service-a', r, 29, 400, 95 * MIB)])
  const v = verdicts(rounds, metrics(381, 1.5))
  t.same(v, {
    'instrumentation alone: CPU per request': false,
    'as shipped: CPU per request': false,
    'as shipped: spawn to ready': false,
    '/metrics render p50': false,
    'series constant under random paths': false,
    'as shipped: RSS under load': false
  })
})

t.test('ratios are taken round by round, so a slow round of the machine cancels out', async (t) => {
  // Round 1 is twice as slow for everyone: still 1.05× within every round.
  const rounds = [round('fastify', 0, 20), round('service-a-silent', 0, 21), round('fastify', 1, 40), round('service-a-silent', 1, 42), round('fastify', 2, 20), round('service-a-silent', 2, 21)]
  const [alone] = checkTargets(rounds, [], 'fastify')
  t.match(alone!.measured, /^1\.05×/)
  t.equal(alone!.pass, true)
})

t.test('median and percentile', async (t) => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 2, 3]), 2.5)
  t.equal(percentile([5, 1, 4, 2, 3], 50), 3)
  t.equal(percentile([5, 1, 4, 2, 3], 99), 5)
  t.throws(() => median([]))
})

t.test('percentile of no values is an error', async (t) => {
  t.throws(() => percentile([], 50), /no values/)
})

t.test('a variant without rounds beside the baseline cannot be summarised', async (t) => {
  const lonely = [round('service-a', 0, 25)]
  t.throws(() => summarize(lonely, 'service-a', 'fastify', 'cpuUsPerRequest'), /no rounds of service-a with fastify/)
  t.throws(() => summarize([round('fastify', 0, 20)], 'service-a', 'fastify', 'cpuUsPerRequest'), /no rounds of service-a/)
})
