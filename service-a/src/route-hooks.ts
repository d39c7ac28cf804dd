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

/**
 * Gives every route, and the not-found handler, hooks made for it. Per-route hooks close over
 * their route template, because `request.routeOptions` builds a fresh object on every access:
 * too dear for every request. Routes registered before this call are not seen.
 */
export function hookEveryRoute (app: FastifyInstance, make: RouteHooksFactory): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.config?.telemetry === false) return
    const made = make(route.url, typeof route.method === 'string' ? route.method : undefined)
    if (made.onRequest) route.onRequest = [...asArray(route.onRequest), made.onRequest]
    if (made.onResponse) route.onResponse = [...asArray(route.onResponse), made.onResponse]
    if (made.onRequestAbort) route.onRequestAbort = [...asArray(route.onRequestAbort), made.onRequestAbort]
  })

  // Not-found requests have no route of their own: app-level hooks pass them to one set of hooks.
  const unmatched = make(UNMATCHED_ROUTE, undefined)
  const { onRequest, onResponse, onRequestAbort } = unmatched
  if (onRequest) {
    app.addHook('onRequest', function (request, reply, done) {
      if (request.is404) onRequest.call(this, request, reply, done)
      else done()
    })
  }
  if (onResponse) {
    app.addHook('onResponse', function (request, reply, done) {
      if (request.is404) onResponse.call(this, request, reply, done)
      else done()
    })
  }
  if (onRequestAbort) {
    app.addHook('onRequestAbort', function (request, done) {
      if (request.is404) onRequestAbort.call(this, request, done)
      else done()
    })
  }
}

function asArray<T> (hooks: T | T[] | undefined): T[] {
  if (hooks === undefined) return []
  return Array.isArray(hooks) ? hooks : [hooks]
}
