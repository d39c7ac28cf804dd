import express from 'express'
import promBundle from 'express-prom-bundle'
import { EXTRA_ROUTES, HELLO, HOST, port } from './routes.ts'

// Express 5 with express-prom-bundle: method and path labels switched on (off by default) and default metrics, so that its series carry what the others' carry.
const app = express()
app.use(promBundle({ includeMethod: true, includePath: true, promClient: { collectDefaultMetrics: {} } }))
for (const path of ['/', ...EXTRA_ROUTES]) app.get(path, (request, response) => { response.json(HELLO) })
app.listen(port(), HOST)
