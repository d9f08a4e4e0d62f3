/**
 * The self-telemetry HTTP endpoint: `/metrics` (Prometheus text, OpenMetrics when asked), `/healthz` (the
 * process is up) and `/readyz` (every component started and not shutting down), so an
 * orchestrator can route traffic only to a collector that will accept it.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ErrorCodes } from '../../errors.js';
import type { Endpoint } from '../config/values.js';
import { closeHttp, listenHttp } from '../listenHttp.js';
import { serveMetrics } from '../prometheus/serveMetrics.js';
import type { TelemetryRegistry } from './TelemetryRegistry.js';

/** Serves the registry and the health and readiness probes. */
export class TelemetryServer {
  private server: Server | undefined;
  private ready = false;

  constructor(private readonly registry: TelemetryRegistry) {}

  /** Marks the collector ready (all components started) or not (starting, stopping). */
  setReady(ready: boolean): void {
    this.ready = ready;
  }

  private bearer: Buffer | undefined;

  /**
   * Listens on the endpoint; resolves with the bound address (the real port when 0 was asked).
   * With `bearerToken`, `/metrics` answers 401 without it; the probes stay open for orchestrators.
   */
  async start(endpoint: Endpoint, bearerToken?: string): Promise<Endpoint> {
    this.bearer = bearerToken === undefined ? undefined : Buffer.from(`Bearer ${bearerToken}`);
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    return listenHttp(
      server,
      endpoint,
      ErrorCodes.MLOBS_ERR_TELEMETRY_LISTEN,
      'service::telemetry::endpoint',
    );
  }

  /** Stops listening and drops idle keep-alive connections so close is bounded. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeHttp(server);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics' && this.bearer && !sameBytes(this.bearer, req.headers.authorization)) {
      res
        .writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' })
        .end('missing or wrong bearer token\n');
    } else if (path === '/metrics') {
      serveMetrics(req, res, (format) => this.registry.render(format));
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}\n');
    } else if (path === '/readyz') {
      const status = this.ready ? 200 : 503;
      res.writeHead(status, { 'content-type': 'application/json' }).end(`{"ready":${this.ready}}\n`);
    } else {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found; try /metrics, /healthz or /readyz\n');
    }
  }
}

function sameBytes(want: Buffer, header: string | undefined): boolean {
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}
