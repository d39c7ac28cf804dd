import t from 'tap'
import { otlpSink, received } from '../src/otlp-sink.ts'

t.test('the OTLP sink answers 200 to POST /v1/traces and counts what it dropped, one sink however often asked', async (t) => {
  const url = await otlpSink()
  t.equal(await otlpSink(), url)
  t.equal((await fetch(`${url}/v1/traces`, { method: 'POST', body: '{"resourceSpans":[]}' })).status, 200)
  t.equal((await fetch(`${url}/v1/metrics`, { method: 'POST', body: '{}' })).status, 404)
  t.same(received, { exports: 1, bytes: 22 })
})
