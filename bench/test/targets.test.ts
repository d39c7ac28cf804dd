import t from 'tap'
import { checkTargets } from '../src/targets.ts'

/** Three rounds, each server's CPU ratio spread ±wobble around the one given. */
const rounds = (cpu: Record<string, number>, { rss = 1.05, wobble = 0.01 } = {}) => [1 - wobble, 1, 1 + wobble].flatMap((w) =>
  Object.entries({ fastify: 1, ...cpu }).map(([server, ratio]) => server === 'fastify' ? { server, cpuRatio: 1, rssRatio: 1 } : { server, cpuRatio: ratio * w, rssRatio: rss }))
const metrics = (renderP50Ms: number, seriesAfter = 380, openMetricsP50Ms = renderP50Ms) => ({ renderP50Ms, openMetricsP50Ms, samples: 450, seriesBefore: 380, seriesAfter, randomPaths: 10_000 })
const servers = (silent: number, shipped: number, [untraced, traced100, traced10]: number[]) => ({ 'service-a-silent': silent, 'service-a': shipped, 'fastify-metrics': 1.3, express: 2.4, untraced: untraced!, 'service-a-traced-100': traced100!, 'service-a-traced-10': traced10! })
const verdicts = (checks: ReturnType<typeof checkTargets>) => Object.fromEntries(checks.map((c) => [c.target, c.verdict]))
const find = (checks: ReturnType<typeof checkTargets>, start: string) => checks.find((c) => c.target.startsWith(start))

t.test('every target passes on figures within its limit, and catches its own breach', async (t) => {
  t.same(new Set(Object.values(verdicts(checkTargets(rounds(servers(1.2, 1.4, [1.19, 1.6, 1.25])), metrics(1.5))))), new Set(['PASS', 'reported']))
  t.same(verdicts(checkTargets(rounds(servers(1.26, 1.55, [1.2, 2.0, 1.4]), { rss: 1.2, wobble: 0.06 }), metrics(2.1, 381))), {
    'logging off: CPU per request ≤ 1.25×': 'MISS',
    'logging off: CPU per request ≤ the cheapest metrics peer': 'PASS',
    'as shipped: CPU per request ≤ 1.5×': 'MISS',
    'as shipped: RSS under load ≤ 1.15× bare Fastify': 'MISS',
    'tracing off: CPU per request within 3 % of the build without tracing': 'MISS',
    'tracing on, 100 % sampled: CPU per request over tracing off': 'over 1.5×: see the profile',
    'tracing on, 10 % sampled: CPU per request over tracing off': 'reported',
    '/metrics render p50 ≤ 2 ms at ~450 samples': 'MISS',
    'series constant under random paths': 'MISS',
    'every CPU ratio\'s min–max within ±5 %': 'MISS'
  })
})

t.test('tracing is judged round by round against service-a with logging off, so a drift that moves both cancels', async (t) => {
  const drifting = [1, 1.2, 0.9].flatMap((drift) => Object.entries({ fastify: 1, 'service-a-silent': 1.2 * drift, untraced: 1.18 * drift, 'service-a-traced-100': 1.8 * drift }).map(([server, cpuRatio]) => ({ server, cpuRatio, rssRatio: 1 })))
  t.match(find(checkTargets(drifting), 'tracing off'), { measured: '1.02× (1.02–1.02, ±0.0 %) of untraced', verdict: 'PASS' })
  t.match(find(checkTargets(drifting), 'tracing on, 100'), { measured: /^1\.50× \(1\.50–1\.50/, verdict: 'reported' })
  t.notOk(find(checkTargets(drifting), 'tracing on, 10 %'), 'a variant that did not run is not judged')
})

t.test('the render target is judged on the slower of the two formats; logging off against the cheapest peer that ran', async (t) => {
  t.same([find(checkTargets([], metrics(1.5, 380, 2.5)), '/metrics')!.verdict, find(checkTargets([], metrics(2.5, 380, 1.5)), '/metrics')!.verdict], ['MISS', 'MISS'])
  t.equal(find(checkTargets([], metrics(1.5, 380, 1.9)), '/metrics')!.measured, 'text 1.500 ms, OpenMetrics 1.900 ms at 450 samples')
  t.match(find(checkTargets(rounds({ 'service-a-silent': 1.2, 'fastify-metrics': 1.15, express: 2.4 })), 'logging off: CPU per request ≤ the cheapest'), { verdict: 'MISS', measured: '1.20× vs fastify-metrics 1.15×' })
  t.match(find(checkTargets(rounds({ 'service-a-silent': 1.2, express: 2.4 })), 'logging off: CPU per request ≤ the cheapest')?.measured, /vs express 2\.40×/)
  t.same(checkTargets(rounds({})).map((c) => c.target), ['every CPU ratio\'s min–max within ±5 %'])
})
