import { Registry } from 'prom-client'
import t from 'tap'
import { createInstrument } from '../../src/metrics/function-metrics.ts'
import { build, samples, scrape } from '../helper.ts'

async function page (registry: Registry): Promise<Map<string, number>> {
  return samples(await registry.metrics())
}

t.test('a wrapped function is counted, timed and passes its arguments and result through', async (t) => {
  const registry = new Registry()
  const instrument = createInstrument(registry, [0.01, 0.1])
  const add = instrument('add', async (a: number, b: number) => {
    await new Promise((resolve) => setTimeout(resolve, 20))
    return a + b
  })
  t.equal(await add(2, 3), 5)
  t.equal(await add(1, 1), 2)
  const metrics = await page(registry)
  t.equal(metrics.get('service_a_function_calls_total{function="add"}'), 2)
  t.equal(metrics.get('service_a_function_failures_total{function="add"}'), 0)
  t.equal(metrics.get('service_a_function_duration_seconds_count{function="add"}'), 2)
  t.equal(metrics.get('service_a_function_duration_seconds_bucket{le="0.01",function="add"}'), 0, 'each took about 20 ms')
  t.ok(metrics.get('service_a_function_duration_seconds_sum{function="add"}')! >= 0.035)
})

t.test('a failure is counted and timed, and the error reaches the caller unchanged', async (t) => {
  const registry = new Registry()
  const instrument = createInstrument(registry, [0.1])
  const error = new Error('dependency down')
  const fetchUser = instrument('fetchUser', async () => { throw error })
  await t.rejects(fetchUser(), error)
  const metrics = await page(registry)
  t.equal(metrics.get('service_a_function_calls_total{function="fetchUser"}'), 1)
  t.equal(metrics.get('service_a_function_failures_total{function="fetchUser"}'), 1)
  t.equal(metrics.get('service_a_function_duration_seconds_count{function="fetchUser"}'), 1)
})

t.test('series exist at zero from the moment a function is wrapped', async (t) => {
  const registry = new Registry()
  createInstrument(registry, [0.1])('neverCalled', async () => {})
  const metrics = await page(registry)
  t.equal(metrics.get('service_a_function_calls_total{function="neverCalled"}'), 0)
  t.equal(metrics.get('service_a_function_failures_total{function="neverCalled"}'), 0)
  t.equal(metrics.get('service_a_function_duration_seconds_count{function="neverCalled"}'), 0)
})

t.test('a name that is not a fixed identifier is refused when wrapping, not on a call', async (t) => {
  const instrument = createInstrument(new Registry(), [0.1])
  for (const name of ['', 'has space', 'user-42', 'x'.repeat(65)]) {
    t.throws(() => instrument(name, async () => {}), { name: 'TypeError', message: /function name .* must match/ }, JSON.stringify(name))
  }
})

t.test('GET /hello/:name runs the instrumented greet, with its simulated delay', async (t) => {
  const app = await build(t)
  await app.inject('/hello/Ada?delay=30')
  await app.inject('/hello/Grace')
  await app.inject('/hello/Ada?delay=nope')
  const metrics = await scrape(app)
  t.equal(metrics.get('service_a_function_calls_total{function="greet"}'), 2, 'a request refused by validation never calls it')
  t.equal(metrics.get('service_a_function_failures_total{function="greet"}'), 0)
  t.ok(metrics.get('service_a_function_duration_seconds_sum{function="greet"}')! >= 0.025, 'the delay is inside the timed work')
})
