import t from 'tap'
import { errorTypeLabeler } from '../../src/metrics/http-metrics.ts'

t.test('error labels come from codes, then class names, then a fallback', async (t) => {
  const label = errorTypeLabeler()
  t.equal(label(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' })), 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
  t.equal(label(new RangeError('x')), 'RangeError')
  t.equal(label(Object.assign(new Error('x'), { code: 'not a code!' })), 'Error', 'a free-text code is not trusted')
  t.equal(label(Object.assign(new Error('x'), { code: 42 })), 'Error', 'a numeric code is not a label')
  const renamed = new Error('x')
  renamed.name = 'name with spaces and <html>'
  t.equal(label(renamed), 'Error')
})

t.test('past the limit of distinct values, new ones fold into "other"', async (t) => {
  const label = errorTypeLabeler(3)
  const named = (name: string): Error => Object.assign(new Error('x'), { name })
  t.same(['A', 'B', 'C', 'D', 'A', 'E'].map((name) => label(named(name))), ['A', 'B', 'C', 'other', 'A', 'other'])
})
