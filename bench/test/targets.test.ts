import t from 'tap'
import { spread } from '../src/bursts.ts'
import { checkTargets, type Figures } from '../src/targets.ts'

const at = (cpu: number, rss = 1.05, wobble = 0.01) => ({ cpu: spread([cpu * (1 - wobble), cpu, cpu * (1 + wobble)]), rss: spread([rss]) })

function figures (silent: number, shipped: number, rss: number, renderP50Ms: number, seriesAfter: number, wobble = 0.01, openMetricsP50Ms = renderP50Ms): Figures {
  return {
    ratios: new Map([['fastify', at(1, 1, 0)], ['service-a-silent', at(silent)], ['service-a', at(shipped, rss, wobble)], ['fastify-metrics', at(1.3)], ['express', at(2.4)]]),
    metrics: { renderP50Ms, openMetricsP50Ms, samples: 450, seriesBefore: 380, seriesAfter, randomPaths: 10_000 }
  }
}

const verdicts = (f: Figures) => Object.fromEntries(checkTargets(f).map((c) => [c.target, c.pass]))
const check = (f: Figures, target: string) => checkTargets(f).find((c) => c.target.includes(target))!

t.test('every target passes on figures within its limit, and catches its own breach', async (t) => {
  t.same(Object.values(verdicts(figures(1.2, 1.4, 1.1, 1.5, 380))), Array(7).fill(true))
  t.same(verdicts(figures(1.26, 1.5, 1.2, 2.1, 381, 0.06)), {
    'logging off: CPU per request ≤ 1.25×': false,
    'logging off: CPU per request ≤ the cheapest metrics peer': true,
    'as shipped: CPU per request ≤ 1.45×': false,
    'as shipped: RSS under load ≤ 1.15× bare Fastify': false,
    '/metrics render p50 ≤ 2 ms at ~450 samples': false,
    'series constant under random paths': false,
    'every CPU ratio\'s min–max within ±5 %': false
  })
})

t.test('the render target is judged on the slower of the two formats', async (t) => {
  t.equal(check(figures(1.2, 1.4, 1.1, 1.5, 380, 0.01, 2.5), '/metrics').pass, false)
  t.equal(check(figures(1.2, 1.4, 1.1, 2.5, 380, 0.01, 1.5), '/metrics').pass, false)
  t.equal(check(figures(1.2, 1.4, 1.1, 1.5, 380, 0.01, 1.9), '/metrics').measured, 'text 1.500 ms, OpenMetrics 1.900 ms at 450 samples')
})

t.test('logging off must cost no more than the cheapest peer that ran; servers left out are not judged', async (t) => {
  const f = figures(1.2, 1.4, 1.1, 1.5, 380)
  f.ratios.set('fastify-metrics', at(1.15))
  t.match(check(f, 'cheapest'), { pass: false, measured: '1.20× vs fastify-metrics 1.15×' })
  f.ratios.delete('fastify-metrics')
  t.match(check(f, 'cheapest').measured, /vs express 2\.40×/)
  t.same(checkTargets({ ratios: new Map([['fastify', at(1, 1, 0)]]) }).map((c) => c.target), ['every CPU ratio\'s min–max within ±5 %'])
})
