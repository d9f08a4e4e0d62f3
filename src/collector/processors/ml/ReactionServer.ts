/**
 * The reaction endpoint of the `ml` processor: pipelines that send to this collector poll
 * it (long-poll) to learn which fallbacks and quarantines are in force for them and which
 * one-shot actions were triggered, and report back whether their handlers succeeded.
 *
 * `GET /v1/reactions?pipeline=&service=&after=&epoch=&wait=` answers
 * `{ epoch, seq, active, reactions }`: `active` is the state to converge to (so a missed
 * message or a collector restart cannot leave a pipeline on its fallback), `reactions` the
 * triggered records after `after` within this `epoch` (one per collector start). With
 * `after` of the current epoch and nothing new, the request waits up to `wait` (at most 60s).
 * `POST /v1/reactions/outcome` takes `{ id, undo, status: succeeded|failed, reason? }`.
 * Loopback by default; with a bearer token every request must carry it.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ErrorCodes } from '../../../errors.js';
import type { Reaction } from '../../../model/reaction.js';
import type { Endpoint } from '../../config/values.js';
import { closeHttp, listenHttp } from '../../listenHttp.js';

/** Triggered records kept for pollers that fall behind. */
const HISTORY = 1000;
/** Requests allowed to wait at once; more get 503 with Retry-After. */
const MAX_WAITERS = 256;
/** Longest wait a poller may ask for. */
const MAX_WAIT_MS = 60_000;
/** Largest outcome body accepted. */
const MAX_BODY = 64 * 1024;

/** What the endpoint needs from the processor. */
export interface ReactionServerOptions {
  /** Reactions in force now. */
  active: () => Reaction[];
  /** A pipeline reported how its handler did; the processor records it. */
  onOutcome: (r: Reaction) => void;
  /** Required bearer token, if any. */
  bearerToken?: string;
  /** Wall clock for outcome times. */
  clock?: () => number;
}

interface Waiter {
  finish: () => void;
}

/** One poll's filter. */
interface Filter {
  pipeline: string | undefined;
  service: string | undefined;
}

function matches(r: Reaction, f: Filter): boolean {
  return (
    (f.pipeline === undefined || r.pipeline === f.pipeline) &&
    (f.service === undefined || r.service === f.service)
  );
}

/** Serves reactions to watching pipelines. */
export class ReactionServer {
  /** Changes on every start, so a poller notices a restart and converges from `active`. */
  readonly epoch = randomUUID();
  private server: Server | undefined;
  private seq = 0;
  private readonly history: { seq: number; reaction: Reaction }[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly opts: ReactionServerOptions) {}

  /** Listens; resolves with the bound address (the real port when 0 was asked). */
  async start(endpoint: Endpoint, path: string): Promise<Endpoint> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    return listenHttp(server, endpoint, ErrorCodes.MLOBS_ERR_REACTIONS_LISTEN, path);
  }

  /** Makes triggered reactions (and undos) visible to pollers and wakes those waiting. */
  publish(reactions: readonly Reaction[]): void {
    let added = false;
    for (const r of reactions) {
      if (r.status !== 'triggered') continue;
      this.history.push({ seq: ++this.seq, reaction: r });
      added = true;
    }
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    if (added) for (const w of [...this.waiters]) w.finish();
  }

  /** Answers waiting polls and stops listening. */
  async close(): Promise<void> {
    for (const w of [...this.waiters]) w.finish();
    const server = this.server;
    this.server = undefined;
    await closeHttp(server);
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    if (this.opts.bearerToken !== undefined && !this.authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return this.reply(res, 401, { error: 'missing or wrong bearer token' });
    }
    if (url.pathname === '/v1/reactions' && req.method === 'GET') return this.poll(url, req, res);
    if (url.pathname === '/v1/reactions/outcome' && req.method === 'POST') return this.outcome(req, res);
    if (url.pathname === '/v1/reactions' || url.pathname === '/v1/reactions/outcome')
      return this.reply(res, 405, { error: 'method not allowed' });
    this.reply(res, 404, { error: 'not found; try GET /v1/reactions or POST /v1/reactions/outcome' });
  }

  private poll(url: URL, req: IncomingMessage, res: ServerResponse) {
    const filter: Filter = {
      pipeline: url.searchParams.get('pipeline') ?? undefined,
      service: url.searchParams.get('service') ?? undefined,
    };
    const afterText = url.searchParams.get('after');
    const after = afterText === null ? undefined : Number(afterText);
    const waitText = url.searchParams.get('wait');
    const waitMs = waitText === null ? 30_000 : Number(waitText);
    if ((after !== undefined && !(Number.isInteger(after) && after >= 0)) || !(waitMs >= 0))
      return this.reply(res, 400, {
        error: 'after must be a whole number >= 0 and wait a number of ms >= 0',
      });
    const sameEpoch = url.searchParams.get('epoch') === this.epoch;
    const answer = () => {
      const since = after !== undefined && sameEpoch ? after : this.seq;
      this.reply(res, 200, {
        epoch: this.epoch,
        seq: this.seq,
        active: this.opts.active().filter((r) => matches(r, filter)),
        reactions: this.history
          .filter((h) => h.seq > since && matches(h.reaction, filter))
          .map((h) => ({
            seq: h.seq,
            ...h.reaction,
          })),
      });
    };
    // A first poll, a poll from before a restart, or one that is behind: answer now.
    if (after === undefined || !sameEpoch || after < this.seq || waitMs === 0) return answer();
    if (this.waiters.size >= MAX_WAITERS) {
      res.setHeader('Retry-After', '1');
      return this.reply(res, 503, { error: 'too many waiting polls' });
    }
    const timer = setTimeout(() => waiter.finish(), Math.min(waitMs, MAX_WAIT_MS));
    const waiter: Waiter = {
      finish: () => {
        if (!this.waiters.delete(waiter)) return;
        clearTimeout(timer);
        if (!res.writableEnded && !res.destroyed) answer();
      },
    };
    this.waiters.add(waiter);
    req.once('close', () => {
      if (this.waiters.delete(waiter)) clearTimeout(timer);
    });
  }

  private outcome(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        this.reply(res, 413, { error: `body larger than ${MAX_BODY} bytes` });
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (res.writableEnded) return;
      let body: { id?: unknown; undo?: unknown; status?: unknown; reason?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return this.reply(res, 400, { error: 'body must be JSON' });
      }
      if (typeof body?.id !== 'string' || (body.status !== 'succeeded' && body.status !== 'failed'))
        return this.reply(res, 400, { error: 'need { id, undo, status: "succeeded" | "failed", reason? }' });
      const undo = body.undo === true;
      let found: { reaction: Reaction } | undefined;
      for (let k = this.history.length - 1; k >= 0 && found === undefined; k--) {
        const h = this.history[k]!;
        if (h.reaction.id === body.id && h.reaction.undo === undo) found = h;
      }
      // In force but published before this start (decided again from the restored incidents).
      if (found === undefined && !undo) {
        const reaction = this.opts.active().find((r) => r.id === body.id);
        if (reaction !== undefined) found = { reaction };
      }
      if (found === undefined) return this.reply(res, 404, { error: `no recent reaction ${body.id}` });
      const reason =
        typeof body.reason === 'string' && body.reason !== ''
          ? body.reason.slice(0, 1000)
          : body.status === 'succeeded'
            ? found.reaction.reason
            : 'the pipeline reported a failure';
      this.opts.onOutcome({
        ...found.reaction,
        status: body.status,
        reason,
        atMs: (this.opts.clock ?? Date.now)(),
      });
      this.reply(res, 202, { accepted: true });
    });
  }

  private authorized(header: string | undefined): boolean {
    const want = Buffer.from(`Bearer ${this.opts.bearerToken}`);
    const got = Buffer.from(header ?? '');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
  }
}
