/**
 * The `mlobs_ui` extension: serves the collector's web page and its JSON API (see
 * `api/routes.ts` and the README) from the analysis of an `ml` processor of the same
 * service, found through `host.analyses` at request time (extensions start before the
 * processors). `/api/v1/events` is a server-sent-event stream that says `change` whenever
 * the incidents or closed windows changed, so the page refreshes without a reload.
 *
 * With `auth.bearer_token`, every request needs the token: an `Authorization: Bearer` header
 * (scripts), or the `mlobs_ui_token` cookie, which opening the page once as `/?token=…`
 * sets (HttpOnly, SameSite=Strict) before redirecting to a URL without the token.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCodes } from '../../../errors.js';
import { type ApiContext, routeApi } from '../../api/routes.js';
import { type StateView, stateVersion } from '../../api/stateApi.js';
import type { AnalysisRegistry, Component, Host } from '../../component.js';
import { type Endpoint, parseEndpoint } from '../../config/values.js';
import { closeHttp, listenHttp } from '../../listenHttp.js';
import { loadAssets } from './assets.js';
import type { MlobsUiConfig } from './config.js';
import { PAGE_HTML } from './page.js';

const COOKIE = 'mlobs_ui_token';
/** How often the event stream compares the state's fingerprint. */
const POLL_MS = 1000;
/** At most this many pages may hold an event stream open at once. */
const MAX_STREAMS = 32;

/** The web page and JSON API of the collector. */
export class MlobsUiExtension implements Component {
  private server: Server | undefined;
  private analyses: AnalysisRegistry | undefined;
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private lastVersion = '';
  /** The address actually bound (the real port when 0 was configured); undefined before start. */
  bound: Endpoint | undefined;

  constructor(
    private readonly id: string,
    private readonly config: MlobsUiConfig,
  ) {}

  /** Listens on the configured endpoint. */
  async start(host: Host): Promise<void> {
    if (this.server) return;
    this.analyses = host.analyses;
    const endpoint = parseEndpoint(this.config.endpoint).value as Endpoint;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) json(res, 500, { error: `internal error: ${(err as Error).message}` });
        else res.destroy();
      });
    });
    this.server = server;
    this.bound = await listenHttp(
      server,
      endpoint,
      ErrorCodes.MLOBS_ERR_COMPONENT_START,
      `extensions::${this.id}::endpoint`,
    );
    const address = server.address() as AddressInfo;
    process.stderr.write(
      `mlobs: web page on http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/\n`,
    );
  }

  /** Ends event streams and stops listening; safe without start and twice. */
  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.streams) s.end();
    this.streams.clear();
    const server = this.server;
    this.server = undefined;
    await closeHttp(server);
  }

  /** The analysis shown: the configured `ml` processor, else the first registered; undefined when none runs. */
  private source(): { processor: string; view: StateView | undefined } {
    const ids = this.analyses?.ids() ?? [];
    const processor = this.config.processor ?? ids[0] ?? '';
    const store = processor ? this.analyses?.get(processor)?.stateStore : undefined;
    return { processor, view: store };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      json(res, 405, { error: 'method not allowed' });
      return;
    }
    const token = this.config.auth.bearer_token;
    if (token !== null) {
      const given = url.searchParams.get('token');
      if (url.pathname === '/' && given !== null && same(given, token)) {
        url.searchParams.delete('token');
        res
          .writeHead(303, {
            'set-cookie': `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
            location: `/${url.search}`,
          })
          .end();
        return;
      }
      if (!this.authorized(req, token)) {
        json(res, 401, {
          error: 'this mlobs page needs its token: open /?token=… once, or send Authorization: Bearer …',
        });
        return;
      }
    }
    const path = url.pathname;
    if (path === '/' || path === '/index.html') {
      send(res, 200, 'text/html; charset=utf-8', Buffer.from(PAGE_HTML));
      return;
    }
    if (path.startsWith('/assets/')) {
      const asset = (await loadAssets())[path.slice(8)];
      if (asset) send(res, 200, asset.type, asset.body);
      else json(res, 404, { error: `no asset ${path}` });
      return;
    }
    if (path === '/api/v1/events') {
      this.openStream(req, res);
      return;
    }
    const { processor, view } = this.source();
    const ctx: ApiContext = { view, processor, traceUrl: this.config.trace_url };
    const answer = routeApi(ctx, path, url.searchParams);
    json(res, answer.status, answer.body);
  }

  private authorized(req: IncomingMessage, token: string): boolean {
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ') && same(header.slice(7), token)) return true;
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [k, v] = part.trim().split('=');
      if (k === COOKIE && v !== undefined && same(decodeURIComponent(v), token)) return true;
    }
    return false;
  }

  private openStream(req: IncomingMessage, res: ServerResponse): void {
    if (this.streams.size >= MAX_STREAMS) {
      json(res, 503, {
        error: `too many open event streams (${MAX_STREAMS}); the page falls back to polling`,
      });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: 2000\nevent: change\ndata: ${JSON.stringify(this.version())}\n\n`);
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
    this.timer ??= setInterval(() => this.poll(), POLL_MS);
  }

  private version(): string {
    const { processor, view } = this.source();
    try {
      return `${processor}|${view ? stateVersion(view) : 'none'}`;
    } catch {
      return `${processor}|unreadable`;
    }
  }

  /** Tells every open page when what it shows changed; stops polling when no page listens. */
  private poll(): void {
    if (this.streams.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const v = this.version();
    const line =
      v === this.lastVersion ? ': keep-alive\n\n' : `event: change\ndata: ${JSON.stringify(v)}\n\n`;
    this.lastVersion = v;
    for (const s of this.streams) s.write(line);
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, type: string, body: Buffer): void {
  res
    .writeHead(status, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Everything the page loads comes from this server.
      'content-security-policy':
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'",
    })
    .end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', Buffer.from(`${JSON.stringify(body)}\n`));
}
