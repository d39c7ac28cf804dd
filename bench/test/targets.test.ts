import t from 'tap'
import { checkTargets } from '../src/targets.ts'

/** Three rounds per server, each CPU ratio spread ±wobble around the given one. */
const rounds = (cpu: Record<string, number>, { rss = 1.05, wobble = 0.01 } = {}) => [1 - wobble, 1, 1 + wobble].flatMap((w) =>
  Object.entries({ fastify: 1, ...cpu }).map(([server, ratio]) => ({ server, cpuRatio: server === 'fastify' ? 1 : ratio * w, rssRatio: server === 'fastify' ? 1 : rss })))
const metrics = (renderP50Ms: number, seriesAfter = 380, openMetricsP50Ms = renderP50Ms) => ({ renderP50Ms, openMetricsP50Ms, samples: 450, seriesBefore: 380, seriesAfter, randomPaths: 10_000 })
const servers = (silent: number, shipped: number, tracing: number[] = []) => ({ 'service-a-silent': silent, 'service-a': shipped, 'fastify-metrics': 1.3, express: 2.4, ...(tracing.length === 3 ? { untraced: tracing[0]!, 'service-a-traced-100': tracing[1]!, 'service-a-traced-10': tracing[2]! } : {}) })
const verdicts = (checks: ReturnType<typeof checkTargets>) => Object.fromEntries(checks.map((c) => [c.target, c.verdict]))

t.test('every target passes on figures within its limit, and catches its own breach', async (t) => {
  t.same(new Set(Object.values(verdicts(checkTargets(rounds(servers(1.2, 1.4, [1.19, 1.6, 1.25])), metrics(1.5))))), new Set(['PASS', 'reported']))
  t.same(verdicts(checkTargets(rounds(servers(1.26, 1.5, [1.2, 2.0, 1.4]), { rss: 1.2, wobble: 0.06 }), metrics(2.1, 381))), {
    'logging off: CPU per request ≤ 1.25×': 'MISS',
    'logging off: CPU per request ≤ the cheapest metrics peer': 'PASS',
    'as shipped: CPU per request ≤ 1.45×': 'MISS',
    'as shipped: RSS under load ≤ 1.15× bare Fastify': 'MISS',
    'tracing off: CPU per request within 3 % of the build without tracing': 'MISS',
    'tracing on, 100 % sampled: CPU per request over tracing off': 'over 1.5×: see the profile',
    'tracing on, 10 % sampled: CPU per request over tracing off': 'reported',
    '/metrics render p50 ≤ 2 ms at ~450 samples': 'MISS',
    'series constant under random paths': 'MISS',
    'every CPU ratio\'s min–max within ±5 %': 'MISS'
  })
})

t.test('tracing is judged round by round against service-a with logging off, not against bare Fastify', async (t) => {
  // A noisy run: every round's ratios drift together, and the pairs stay close.
  const drifting = [1, 1.2, 0.9].flatMap((drift) => [['fastify', 1], ['service-a-silent', 1.2 * drift], ['untraced', 1.18 * drift], ['service-a-traced-100', 1.8 * drift]].map(([server, cpu]) => ({ server: server as string, cpuRatio: cpu as number, rssRatio: 1 })))
  const checks = checkTargets(drifting)
  t.match(checks.find((c) => c.target.startsWith('tracing off')), { measured: '1.02× (1.02–1.02, ±0.0 %) of untraced', verdict: 'PASS' })
  t.match(checks.find((c) => c.target.startsWith('tracing on, 100')), { measured: /^1\.50×/, verdict: 'reported' })
  t.notOk(checks.some((c) => c.target.startsWith('tracing on, 10 %')), 'a variant that did not run is not judged')
})

t.test('the render target is judged on the slower of the two formats', async (t) => {
  const render = (text: number, openMetrics: number) => checkTargets([], metrics(text, 380, openMetrics)).find((c) => c.target.startsWith('/metrics'))!
  t.same([render(1.5, 2.5).verdict, render(2.5, 1.5).verdict], ['MISS', 'MISS'])
  t.equal(render(1.5, 1.9).measured, 'text 1.500 ms, OpenMetrics 1.900 ms at 450 samples')
})

t.test('logging off must cost no more than the cheapest peer that ran; servers left out are not judged', async (t) => {
  const cheapest = (cpu: Record<string, number>) => checkTargets(rounds(cpu)).find((c) => c.target.includes('cheapest'))
  t.match(cheapest({ 'service-a-silent': 1.2, 'fastify-metrics': 1.15, express: 2.4 }), { verdict: 'MISS', measured: '1.20× vs fastify-metrics 1.15×' })
  t.match(cheapest({ 'service-a-silent': 1.2, express: 2.4 })?.measured, /vs express 2\.40×/)
  t.same(checkTargets(rounds({})).map((c) => c.target), ['every CPU ratio\'s min–max within ±5 %'])
})
