import type { FastifyInstance, onRequestAbortHookHandler, onRequestHookHandler, onResponseHookHandler, RouteOptions } from 'fastify'

/** The route label of every request that matched no route, so that hostile paths add no series. */
export const UNMATCHED_ROUTE = '<unmatched>'

export interface RouteHooks {
  onRequest?: onRequestHookHandler
  onResponse?: onResponseHookHandler
  onRequestAbort?: onRequestAbortHookHandler
}

/** `route` is the route template; `method` is undefined where one handler serves several methods. */
export type RouteHooksFactory = (route: string, method: string | undefined) => RouteHooks

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false keeps a route out of request metrics and the access log: probes and scrapes. */
    telemetry?: boolean
  }
}

/** Per server (shared by an app and all its plugin contexts): the hooks made for unmatched requests. */
const unmatchedHooks = new WeakMap<object, RouteHooks[]>()

/**
 * Gives every route, and the not-found handler, hooks made for it. Per-route hooks close over
 * their route template, because `request.routeOptions` builds a fresh object on every access:
 * too dear for every request. Routes registered before this call are not seen. The not-found
 * hooks take effect once `notFoundHooks` is registered, after every call to this.
 */
export function hookEveryRoute (app: FastifyInstance, make: RouteHooksFactory): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.telemetry === false) return
    const made = make(route.url, typeof route.method === 'string' ? route.method : undefined)
    if (made.onRequest) route.onRequest = [...asArray(route.onRequest), made.onRequest]
    if (made.onResponse) route.onResponse = [...asArray(route.onResponse), made.onResponse]
    if (made.onRequestAbort) route.onRequestAbort = [...asArray(route.onRequestAbort), made.onRequestAbort]
  })
  const made = unmatchedHooks.get(app.server) ?? []
  made.push(make(UNMATCHED_ROUTE, undefined))
  unmatchedHooks.set(app.server, made)
}

/**
 * Not-found requests have no route of their own. Their hooks live in an encapsulated context that
 * sets the not-found handler: Fastify gives the 404 handler the hooks of the context that set it
 * (fastify's test/404s.test.js 'run hook with encapsulated 404'), so matched requests run none of
 * these, where app-level hooks would run on every request only to check `request.is404`.
 * Register after the plugins that call hookEveryRoute. App-level hooks still reach unmatched
 * requests: Fastify adds them to child contexts too, even when added later.
 */
export async function notFoundHooks (app: FastifyInstance): Promise<void> {
  for (const made of unmatchedHooks.get(app.server) ?? []) {
    if (made.onRequest) app.addHook('onRequest', made.onRequest)
    if (made.onResponse) app.addHook('onResponse', made.onResponse)
    if (made.onRequestAbort) app.addHook('onRequestAbort', made.onRequestAbort)
  }
  // The body of Fastify's default 404 (lib/four-oh-four.js basic404), which tests pin.
  app.setNotFoundHandler((request, reply) => {
    const { method, url } = request.raw
    return reply.code(404).send({ message: `Route ${method}:${url} not found`, error: 'Not Found', statusCode: 404 })
  })
}

/** The onResponse hooks made for unmatched requests, for responses that no route context runs. */
export function unmatchedResponseHooks (app: FastifyInstance): onResponseHookHandler[] {
  return (unmatchedHooks.get(app.server) ?? []).flatMap((made) => made.onResponse ?? [])
}

function asArray<T> (hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return []
  return Array.isArray(hooks) ? hooks : [hooks]
}
