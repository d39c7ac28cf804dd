import t from 'tap'
import { DELAYS_MS, MIX, planRequest, SLOW_DELAY_MS, type PlannedRequest, type RequestKind } from '../src/traffic.ts'
import { scrape, startServiceA } from './helper.ts'

const plans = Array.from({ length: 20_000 }, () => planRequest())

t.test('the mix adds up to 1000 per thousand and each kind comes out at its share', async (t) => {
  t.equal(MIX.reduce((sum, [, share]) => sum + share, 0), 1000)
  for (const [kind, share] of MIX) {
    const seen = plans.filter((plan) => plan.kind === kind).length / plans.length * 1000
    t.ok(Math.abs(seen - share) < Math.max(15, share / 2), `${kind}: ${seen.toFixed(1)} ‰ for ${share} ‰`)
  }
  const slowShareOfHello = MIX.find(([kind]) => kind === 'slow')![1] / MIX.find(([kind]) => kind === 'hello')![1]
  t.ok(slowShareOfHello < 0.005, 'slow requests stay far below 1 % of /hello/:name: its p99 stays under the latency alert\'s 1 s')
})

t.test('each kind asks for what service-a answers with its expected status', async (t) => {
  const byKind = (kind: RequestKind): PlannedRequest[] => plans.filter((plan) => plan.kind === kind)
  t.ok(byKind('root').every((plan) => plan.path === '/' && plan.expectedStatus === 200))
  t.ok(byKind('hello').every((plan) => /^\/hello\/[a-z]+(\?delay=\d+)?$/.test(plan.path) && plan.expectedStatus === 200))
  t.ok(byKind('slow').every((plan) => plan.path.endsWith(`?delay=${SLOW_DELAY_MS}`) && plan.expectedStatus === 200))
  t.ok(byKind('not-found').every((plan) => !/^\/(hello\/[a-z]+)?$/.test(plan.path) && plan.expectedStatus === 404))
  const badDelays = new Set(byKind('bad-delay').map((plan) => new URLSearchParams(plan.path.split('?')[1]).get('delay')))
  t.same([...badDelays].sort(), ['-5', '60000', 'soon'], 'not an integer, too small, too large')
  t.ok(byKind('bad-delay').every((plan) => plan.expectedStatus === 400))
})

t.test('a real service-a answers every planned path with its expected status; the delays land in at least 8 of its latency buckets', async (t) => {
  const { url } = await startServiceA(t)
  // Each distinct path once, all at once: the slow ones (3 s) among them.
  const distinct = [...new Map(plans.map((plan) => [plan.path, plan])).values()]
  const answers = await Promise.all(distinct.map(async (plan) => [plan, (await fetch(url + plan.path)).status] as const))
  t.same(answers.filter(([plan, status]) => status !== plan.expectedStatus), [], `${distinct.length} paths; the slow delay is within service-a's limit`)
  t.ok(distinct.some((plan) => plan.kind === 'slow'))

  // The bucket bounds as service-a exposes them, now that /hello/:name has answers.
  const bounds = [...(await scrape(url)).keys()]
    .filter((name) => name.startsWith('http_request_duration_seconds_bucket{') && name.includes('route="/hello/:name",status_code="200"'))
    .map((name) => Number(/le="([^"]+)"/.exec(name)![1]))
  const bucketOf = (ms: number): number => bounds.findIndex((le) => ms / 1000 <= le)
  t.ok(new Set(DELAYS_MS.map(bucketOf)).size >= 8, `at least 8 distinct buckets of ${bounds.length}`)
  const delays = new Set(plans.filter((plan) => plan.kind === 'hello').map((plan) => Number(new URLSearchParams(plan.path.split('?')[1]).get('delay') ?? 0)))
  t.same([...delays].sort((a, b) => a - b), [...new Set(DELAYS_MS)], 'every delay is sent')
  t.ok(SLOW_DELAY_MS > 2 * Math.max(...DELAYS_MS), 'the slow request is slower than the rest')
})

t.test('the random source decides: the low end picks the first kind, the high end the last', async (t) => {
  t.equal(planRequest(() => 0).kind, MIX[0]![0])
  t.equal(planRequest(() => 0.999_999).kind, MIX.at(-1)![0])
})
