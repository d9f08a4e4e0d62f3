/**
 * The in-process end of reaction policies: the engine decides, this object records each
 * decision as an `ml.reaction` log record and runs the pipeline's handlers for it
 * (`onReaction('fallback', useRules)`), then records whether they succeeded. Handlers run
 * off the span's hot path: a slow or failing handler never delays or breaks analysis.
 */
import type { IncidentChange } from '../analysis/incidents/IncidentManager.js';
import { type ReactionEngine, settleReaction } from '../analysis/reactions/ReactionEngine.js';
import type { Incident } from '../model/finding.js';
import type { Reaction, ReactionAction, ReactionHandler } from '../model/reaction.js';

/** Registered handlers by action; `*` receives every action. */
type HandlerMap = Map<ReactionAction | '*', Set<ReactionHandler>>;

/**
 * Calls the handlers registered for a reaction. The outcome is the first error (undefined
 * if none): returned directly when every handler finished synchronously, so the record
 * follows the decision at once, else as a promise.
 */
export function runHandlers(handlers: HandlerMap, r: Reaction): unknown | Promise<unknown> {
  const chosen = [...(handlers.get(r.action) ?? []), ...(handlers.get('*') ?? [])];
  let first: unknown;
  const pending: Promise<unknown>[] = [];
  for (const h of chosen) {
    try {
      const out = h(Object.freeze({ ...r }));
      if (out instanceof Promise) pending.push(out);
    } catch (err) {
      first ??= err ?? new Error('handler failed');
    }
  }
  if (pending.length === 0) return first;
  return Promise.allSettled(pending).then((results) => {
    for (const x of results) if (x.status === 'rejected') first ??= x.reason ?? new Error('handler failed');
    return first;
  });
}

/** Reaction policies of one processor, with the handlers the pipeline registered. */
export class Reactions {
  private readonly handlers: HandlerMap = new Map();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly engine: ReactionEngine,
    /** Where each record goes (the processor's logger and user listener). */
    private readonly record: (r: Reaction) => void,
    /** Wall clock for the time handlers finished. */
    private readonly clock: () => number,
  ) {}

  /**
   * Runs `handler` for every reaction of this action (or of every action, `'*'`), and again
   * with `undo: true` when the reaction ends. Returns a function that unregisters it.
   */
  onReaction(action: ReactionAction | '*', handler: ReactionHandler): () => void {
    let set = this.handlers.get(action);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(action, set);
    }
    set.add(handler);
    // A pipeline that (re)starts during an incident registers its handlers after the
    // decision was made: it gets the fallbacks and quarantines in force now.
    for (const r of this.engine.active())
      if (action === '*' || r.action === action)
        this.settle(r, runHandlers(new Map([[action, new Set([handler])]]), r));
    return () => {
      this.handlers.get(action)?.delete(handler);
    };
  }

  /**
   * Decides again, without records or handlers, for an incident that was open before a
   * restart (restored from a store): reaction ids are stable, so the reactions in force
   * then are in force again, reach handlers registered from now on, and end when it resolves.
   */
  restore(incident: Incident): void {
    if (this.engine.enabled) this.engine.onIncident('opened', incident);
  }

  /** Fallbacks and quarantines in force now. */
  active(): Reaction[] {
    return this.engine.active();
  }

  /** Resolves when every handler started so far has finished and its outcome was recorded. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Decides and records the reactions to an incident change, and starts their handlers. */
  handle(change: IncidentChange, incident: Incident): void {
    if (!this.engine.enabled) return;
    for (const r of this.engine.onIncident(change, incident)) {
      this.record(r);
      if (r.status !== 'triggered') continue;
      const wanted = (this.handlers.get(r.action)?.size ?? 0) + (this.handlers.get('*')?.size ?? 0);
      // Nobody in this process acts on it (an alert for Alertmanager, say): the record is all.
      if (wanted === 0) continue;
      this.settle(r, runHandlers(this.handlers, r));
    }
  }

  /** Records the outcome of handlers, now or when they finish. */
  private settle(r: Reaction, outcome: unknown): void {
    if (!(outcome instanceof Promise)) {
      this.record(settleReaction(r, outcome, this.clock()));
      return;
    }
    const tracked: Promise<void> = outcome
      .then((err) => this.record(settleReaction(r, err, this.clock())))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
