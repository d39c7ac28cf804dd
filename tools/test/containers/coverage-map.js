// tap's coverage map for the containers area: its tests answer for src/containers/ only.
// They also load other areas' modules (rendering, HTTP helpers), whose own tests cover them.
import { readdirSync } from 'node:fs'

const own = readdirSync(new URL('../../src/containers/', import.meta.url)).map((file) => `src/containers/${file}`)

export default () => own
