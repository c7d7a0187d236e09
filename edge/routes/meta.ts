/**
 * Routes about the service itself: liveness and the OpenAPI document. Both stay open when API keys
 * are configured, so load balancers and API explorers need no secret.
 */
import { Hono } from 'hono';
import type { EdgeContext } from '../app.ts';
import { openApiDocument } from '../http/openapi.ts';

export function metaRoutes(context: EdgeContext): Hono {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/openapi.json', (c) => c.json(openApiDocument(context.limits, new URL(c.req.url).origin)));
  return routes;
}
