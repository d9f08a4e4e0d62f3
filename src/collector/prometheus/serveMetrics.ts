/**
 * One scrape answer for both `/metrics` endpoints (the telemetry server and the `prometheus`
 * exporter), so content negotiation and the failure reply cannot drift apart.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { negotiate, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './exposition.js';

/** Renders the page in the format the request's `Accept` asks for; 500 with the reason if rendering fails. */
export function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  render: (format: 'text' | 'openmetrics') => Promise<string>,
): void {
  const format = negotiate(req.headers.accept);
  render(format).then(
    (page) =>
      res
        .writeHead(200, {
          'content-type': format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
        })
        .end(page),
    (err: unknown) =>
      res
        .writeHead(500, { 'content-type': 'text/plain' })
        .end(`collecting metrics failed: ${(err as Error).message}\n`),
  );
}
