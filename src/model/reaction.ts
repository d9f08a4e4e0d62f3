/**
 * What a reaction policy did about an incident, as plain data: the engine decides it, the
 * outputs turn it into an `ml.reaction` log record, the collector serves it to watching
 * pipelines, and handlers in a pipeline act on it. One shape everywhere, so the record in
 * Loki, the JSON a watcher receives and the object a handler gets say the same thing.
 */
import type { Severity } from './finding.js';

/** What a reaction does. Mirrors the `ml.reaction.action` enum. */
export type ReactionAction = 'alert' | 'fallback' | 'rollback' | 'retrain' | 'quarantine';

/** Every action, in the registry's order. */
export const REACTION_ACTIONS: readonly ReactionAction[] = [
  'alert',
  'fallback',
  'rollback',
  'retrain',
  'quarantine',
];

/** Actions that last while their incident is open and are undone when it resolves. */
export const UNDOABLE_ACTIONS: readonly ReactionAction[] = ['fallback', 'quarantine'];

/** Outcome of a reaction. Mirrors the `ml.reaction.status` enum. */
export type ReactionStatus = 'triggered' | 'succeeded' | 'failed' | 'suppressed';

/** One step of one reaction (triggered, then succeeded or failed; or suppressed). */
export interface Reaction {
  /** Stable id of the reaction: policy, action and incident hashed; its undo carries the same id. */
  id: string;
  /** Name of the policy that fired. */
  policy: string;
  /** What it does. */
  action: ReactionAction;
  /** Where this step stands. */
  status: ReactionStatus;
  /** What it applies to: the action's configured target, else `<pipeline or service>/<component>`. */
  target: string;
  /** Where a fallback or rollback goes (model, rule or version), when the policy says. */
  to?: string;
  /** True when this step ends the reaction because its incident resolved. */
  undo: boolean;
  /** Why it acted or held back, for people. */
  reason: string;
  /** True when the policy (or every policy) runs dry: nothing is done, the record says what would be. */
  dryRun: boolean;
  /** The incident it answers. */
  incidentId: string;
  /** The incident's severity at that moment. */
  severity: Severity;
  /** `service.name` of the incident's pipeline. */
  service: string;
  /** `ml.pipeline.name` of the incident, '' when absent. */
  pipeline: string;
  /** When it was decided, ms since the epoch (incident time, not the wall clock). */
  atMs: number;
}

/**
 * Acts on a reaction in the pipeline (switch to the fallback model, or back when `undo`).
 * Resolving (or returning) means it worked, throwing or rejecting that it failed; either
 * way the outcome becomes an `ml.reaction` record.
 */
export type ReactionHandler = (reaction: Readonly<Reaction>) => void | Promise<void>;
