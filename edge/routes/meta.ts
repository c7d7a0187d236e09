/**
 * Routes about the service itself: the search page (/), liveness (/healthz: the process answers), readiness (/readyz: the
 * index store answers and every CURRENT reads, within their own deadline) and the OpenAPI document,
 * whose server URL is the configured public URL or relative — never the Host header a caller sent. All
 * stay open when API keys are configured, so load balancers and API explorers need no secret.
 */
import { Hono } from 'hono';
import { ApiError } from '../http/api-error.ts';
import { openApiDocument } from '../http/openapi.ts';
import { checkReadiness } from '../http/readiness.ts';
import { searchPage } from '../page/search-page.ts';
import type { EdgeContext } from './context.ts';

export function metaRoutes(context: EdgeContext): Hono {
  const routes = new Hono();
  routes.get('/', async (c) => {
    const { body, csp } = await searchPage();
    return c.html(body, 200, {
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });
  routes.get('/healthz', (c) => c.json({ status: 'ok' }));
  routes.get('/readyz', async (c) =>
    c.json(await checkReadiness(context.store, context.limits.readyTimeoutMs)),
  );
  // Built on first request and kept: the document depends only on the app's limits and public URL.
  let document: Record<string, unknown> | undefined;
  routes.get('/metrics', async (c) => {
    if (!context.metrics)
      throw new ApiError(404, 'no_route', 'no metrics here (the Node entry serves /metrics)');
    return c.body(await context.metrics.render(), 200, { 'content-type': context.metrics.contentType });
  });
  routes.get('/openapi.json', (c) => {
    document ??= openApiDocument(context.limits, context.publicUrl ?? '/');
    return c.json(document);
  });
  return routes;
}
