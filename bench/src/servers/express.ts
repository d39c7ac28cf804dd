import express from 'express'
import promBundle from 'express-prom-bundle'
import { EXTRA_ROUTES, HELLO, HOST, port } from './routes.ts'

/**
 * Express 5 with express-prom-bundle. Method and path labels are switched on (off by default)
 * so that its series carry what the others' carry; default metrics on, like the others.
 */
const app = express()
app.use(promBundle({ includeMethod: true, includePath: true, promClient: { collectDefaultMetrics: {} } }))
for (const path of ['/', ...EXTRA_ROUTES]) app.get(path, (request, response) => { response.json(HELLO) })
app.listen(port(), HOST)
