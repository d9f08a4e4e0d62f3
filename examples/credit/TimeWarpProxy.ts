/**
 * What lets `npm run demo` feed a collector that is already running with the default config
 * (`npm start`: 5-minute windows, 5 of them as reference): an OTLP/HTTP JSON hop between the
 * pipeline and that collector which stretches time. Real time since `origin` is multiplied by
 * `scale` and laid from `start` on, so the demo's 2-second grid of four batches becomes a
 * 5-minute window of four batches, and the windows close as the stretched span times move on,
 * in seconds instead of an hour. Durations stretch by the same factor, so every ratio a
 * detector judges is unchanged. Stretched times run ahead of the clock (the collector's idle
 * close would make spans stamped in the past late); `end()` says how far they went.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Most bytes of one request the hop accepts (the SDK sends far less). */
const MAX_BODY = 64 * 1024 * 1024;

type Json = Record<string, unknown>;

/** Forwards OTLP/JSON traces and logs to `upstream` with their times stretched. */
export class TimeWarpProxy {
  private server: Server | undefined;
  private queue: Promise<void> = Promise.resolve();
  private latestMs = 0;
  /** Requests forwarded, and refused by the upstream collector (status ≥ 300). */
  readonly counts = { forwarded: 0, refused: 0 };

  /**
   * @param upstream `http://host:port` of the collector's OTLP/HTTP receiver.
   * @param originMs real time (ms since the epoch) that maps to `startMs`.
   * @param startMs stretched time of `originMs`.
   * @param scale how many stretched milliseconds one real millisecond becomes.
   */
  constructor(
    private readonly upstream: string,
    private readonly originMs: number,
    private readonly startMs: number,
    private readonly scale: number,
  ) {}

  /** Listens on 127.0.0.1 (a free port); returns its `http://host:port`. */
  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Waits for what was received to be forwarded, then stops listening. */
  async stop(): Promise<void> {
    await this.queue;
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  /** The latest stretched time sent, ms since the epoch (0 before anything was sent). */
  end(): number {
    return this.latestMs;
  }

  /** Stretched time of a real one, ms since the epoch. */
  warpMs(realMs: number): number {
    return this.startMs + (realMs - this.originMs) * this.scale;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '';
    if (req.method !== 'POST' || !(path === '/v1/traces' || path === '/v1/logs')) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      let body: Json;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"not OTLP/JSON"}');
        return;
      }
      this.stretch(body);
      // One at a time, in arrival order: the collector's windows follow span end times.
      this.queue = this.queue.then(() => this.forward(path, body, res));
    });
  }

  private async forward(path: string, body: Json, res: ServerResponse): Promise<void> {
    try {
      const r = await fetch(`${this.upstream}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      this.counts.forwarded++;
      if (r.status >= 300) this.counts.refused++;
      res
        .writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' })
        .end(text);
    } catch (err) {
      this.counts.refused++;
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
    }
  }

  private stretch(body: Json): void {
    for (const rs of list(body.resourceSpans))
      for (const ss of list(rs.scopeSpans))
        for (const span of list(ss.spans)) {
          this.time(span, 'startTimeUnixNano');
          this.time(span, 'endTimeUnixNano');
          for (const e of list(span.events)) this.time(e, 'timeUnixNano');
        }
    for (const rl of list(body.resourceLogs))
      for (const sl of list(rl.scopeLogs))
        for (const r of list(sl.logRecords)) {
          this.time(r, 'timeUnixNano');
          this.time(r, 'observedTimeUnixNano');
        }
  }

  private time(o: Json, key: string): void {
    const v = o[key];
    if (typeof v !== 'string' && typeof v !== 'number') return;
    let ns: bigint;
    try {
      ns = BigInt(v);
    } catch {
      return;
    }
    if (ns === 0n) return;
    // Relative to the origin in exact nanoseconds, so sub-millisecond durations survive.
    const rel = Number(ns - BigInt(this.originMs) * 1_000_000n);
    const out = BigInt(this.startMs) * 1_000_000n + BigInt(Math.round(rel * this.scale));
    o[key] = out.toString();
    this.latestMs = Math.max(this.latestMs, Number(out / 1_000_000n));
  }
}

function list(v: unknown): Json[] {
  return Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as Json[]) : [];
}
