/**
 * Follows the reactions an mlobs collector decides for this pipeline, so a Node pipeline
 * switches to its fallback model during an incident and back after it without a
 * redeploy. It long-polls the collector's reaction endpoint and converges on the set of
 * reactions in force there (a missed message or a collector restart cannot strand the
 * pipeline on its fallback), runs the handlers registered for each change, and reports
 * their outcome so the collector records it as an `ml.reaction` record.
 *
 * Fail-safe: while the collector cannot be reached, nothing changes (the pipeline keeps
 * the model it is running), one `diag.warn` says so, and polling retries with backoff.
 * Only Node's `fetch` is used: nothing heavy is loaded by the recording-only import path.
 */
import { diag } from '@opentelemetry/api';
import type { Reaction, ReactionAction, ReactionHandler } from '../model/reaction.js';

/** Where to watch and how. */
export interface WatchReactionsOptions {
  /** Base URL of the collector's reaction endpoint, e.g. `http://127.0.0.1:4320`. */
  endpoint: string;
  /** Only reactions to incidents of this `ml.pipeline.name`. */
  pipeline?: string;
  /** Only reactions to incidents of this `service.name`. */
  service?: string;
  /** Bearer token, when the endpoint requires one. */
  token?: string;
  /** How long one poll may wait for news at the collector (ms, default 25s). */
  waitMs?: number;
  /** First retry delay after a failed poll (ms, default 1s); doubles up to `retryMaxMs`. */
  retryMinMs?: number;
  /** Longest retry delay (ms, default 30s). */
  retryMaxMs?: number;
}

/** A running watcher. */
export interface ReactionWatcher {
  /**
   * Runs `handler` when a reaction of `action` (or any, `'*'`) reaches this pipeline, and
   * again with `undo: true` when it ends. Returns a function that unregisters it.
   */
  onReaction(action: ReactionAction | '*', handler: ReactionHandler): () => void;
  /** Lasting reactions (fallback, quarantine) this pipeline applied and has not undone. */
  active(): Reaction[];
  /** Whether the last poll reached the collector. */
  readonly connected: boolean;
  /** Resolves after the next poll that reached the collector has been acted on. */
  synced(): Promise<void>;
  /** Stops polling (an in-flight poll is aborted). */
  stop(): Promise<void>;
}

/** Actions that last until undone; the others happen once. */
const LASTING: readonly ReactionAction[] = ['fallback', 'quarantine'];

interface PollBody {
  epoch: string;
  seq: number;
  active: Reaction[];
  reactions: (Reaction & { seq: number })[];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** Starts following the collector's reactions for this pipeline. */
export function watchReactions(options: WatchReactionsOptions): ReactionWatcher {
  const base = options.endpoint.replace(/\/+$/, '');
  const waitMs = options.waitMs ?? 25_000;
  const retryMin = options.retryMinMs ?? 1000;
  const retryMax = options.retryMaxMs ?? 30_000;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const handlers = new Map<ReactionAction | '*', Set<ReactionHandler>>();
  const applied = new Map<string, Reaction>();
  const abort = new AbortController();
  let epoch: string | undefined;
  let seq = 0;
  let connected = false;
  let failing = false;
  let waiting: (() => void)[] = [];

  const handlersFor = (a: ReactionAction) => [...(handlers.get(a) ?? []), ...(handlers.get('*') ?? [])];

  /** Runs the handlers for one change and tells the collector how they did. */
  async function act(r: Reaction): Promise<void> {
    const chosen = handlersFor(r.action);
    if (chosen.length === 0) return;
    let error: unknown;
    for (const h of chosen) {
      try {
        await h(Object.freeze({ ...r }));
      } catch (err) {
        error ??= err ?? new Error('handler failed');
      }
    }
    const reason = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    // The outcome is a record at the collector; losing it never affects the pipeline.
    await fetch(`${base}/v1/reactions/outcome`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: r.id,
        undo: r.undo,
        status: error === undefined ? 'succeeded' : 'failed',
        reason,
      }),
      signal: abort.signal,
    }).then(
      (res) => res.body?.cancel(),
      (err: unknown) => diag.debug('mlobs: could not report a reaction outcome', err as object),
    );
  }

  /** Converges on the collector's state and runs one-shot reactions that are new. */
  async function apply(body: PollBody): Promise<void> {
    const fresh = body.epoch !== epoch;
    epoch = body.epoch;
    seq = body.seq;
    const inForce = new Map(body.active.map((r) => [r.id, r]));
    // `applied` changes once the handlers ran and their outcome was reported, so active()
    // tells a caller the switch is complete.
    for (const [id, r] of inForce)
      if (!applied.has(id)) {
        await act(r);
        applied.set(id, r);
      }
    for (const [id, r] of [...applied])
      if (!inForce.has(id)) {
        const undo = body.reactions.find((x) => x.id === id && x.undo);
        await act(undo ?? { ...r, undo: true, reason: 'no longer in force at the collector' });
        applied.delete(id);
      }
    // History from before this watcher (or this collector start) is not replayed: only news.
    if (!fresh) for (const r of body.reactions) if (!LASTING.includes(r.action) && !r.undo) await act(r);
  }

  async function loop(): Promise<void> {
    let delay = retryMin;
    while (!abort.signal.aborted) {
      const q = new URLSearchParams();
      if (options.pipeline !== undefined) q.set('pipeline', options.pipeline);
      if (options.service !== undefined) q.set('service', options.service);
      if (epoch !== undefined) {
        q.set('epoch', epoch);
        q.set('after', String(seq));
        q.set('wait', String(waitMs));
      }
      try {
        const res = await fetch(`${base}/v1/reactions?${q}`, { headers, signal: abort.signal });
        if (!res.ok) {
          await res.body?.cancel();
          // Caught just below, where it becomes the one "cannot reach" warning; never reaches the caller.
          throw new Error(`HTTP ${res.status}`);
        }
        const body = (await res.json()) as PollBody;
        if (failing) diag.info(`mlobs: reaction endpoint ${base} reachable again`);
        failing = false;
        connected = true;
        delay = retryMin;
        await apply(body);
        const w = waiting;
        waiting = [];
        for (const f of w) f();
      } catch (err) {
        if (abort.signal.aborted) break;
        connected = false;
        if (!failing)
          diag.warn(
            `mlobs: cannot reach the reaction endpoint ${base} (${(err as Error).message}); ` +
              'the pipeline keeps its current model and retries',
          );
        failing = true;
        await sleep(delay, abort.signal);
        delay = Math.min(delay * 2, retryMax);
      }
    }
  }

  const running = loop();
  return {
    onReaction(action, handler) {
      let set = handlers.get(action);
      if (set === undefined) {
        set = new Set();
        handlers.set(action, set);
      }
      set.add(handler);
      // Registered after the watcher applied something: this handler gets it too.
      for (const r of applied.values())
        if (action === '*' || r.action === action)
          Promise.resolve()
            .then(() => handler(Object.freeze({ ...r })))
            .catch((err: unknown) => diag.debug('mlobs: a reaction handler failed', err as object));
      return () => {
        handlers.get(action)?.delete(handler);
      };
    },
    active: () => [...applied.values()],
    get connected() {
      return connected;
    },
    synced: () => new Promise<void>((resolve) => waiting.push(resolve)),
    async stop() {
      abort.abort();
      await running;
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    },
  };
}
