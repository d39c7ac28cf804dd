import Fastify from 'fastify'
import t from 'tap'
import errors, { answerRouterError } from '../../src/plugins/errors.ts'

t.test('the errors plugin answers router errors on its own, with no hooks given for them', async (t) => {
  const app = Fastify({ frameworkErrors: answerRouterError })
  await app.register(errors)
  t.teardown(() => app.close())
  const response = await app.inject('/%E0%A4%A')
  t.equal(response.statusCode, 400)
  t.match(response.json(), { statusCode: 400, error: 'Bad Request', message: /not a valid url component/ })
})
