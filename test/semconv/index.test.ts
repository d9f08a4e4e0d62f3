import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as semconv from '../../src/semconv/index.js';

// The names agreed with the rest of mlobs (DESIGN.md and the semconv issue). Other modules import
// these constants, so a rename or a lost key in the registry must fail here, not at run time.
const AGREED_ATTRIBUTES = [
  'ml.pipeline.name',
  'ml.pipeline.run_id',
  'ml.component.name',
  'ml.component.kind',
  'ml.component.version',
  'ml.model.name',
  'ml.model.version',
  'ml.model.framework',
  'ml.model.trained_at',
  'ml.io.inputs',
  'ml.io.outputs',
  'ml.io.input_fingerprints',
  'ml.io.output_fingerprints',
  'ml.batch.id',
  'ml.batch.rows',
  'ml.prediction.id',
  'ml.prediction.class',
  'ml.prediction.score',
  'ml.prediction.value',
  'ml.label.class',
  'ml.label.value',
  'ml.summary.kind',
  'ml.summary.names',
  'ml.summary.count',
  'ml.summary.null_count',
  'ml.summary.invalid_count',
  'ml.summary.infinite_count',
  'ml.summary.min',
  'ml.summary.max',
  'ml.summary.mean',
  'ml.summary.variance',
  'ml.summary.quantile_levels',
  'ml.summary.quantiles',
  'ml.summary.histogram.bins',
  'ml.summary.histogram.counts',
  'ml.summary.top.values',
  'ml.summary.top.counts',
  'ml.summary.top.lengths',
  'ml.summary.top.error',
  'ml.summary.distinct',
  'ml.summary.dimension',
  'ml.summary.sketch',
  'ml.prediction.task',
  'ml.prediction.ids',
  'ml.prediction.classes',
  'ml.prediction.scores',
  'ml.prediction.values',
  // Runs a sampled instrumentation counted but did not record (issue 13's overhead goal).
  'ml.sampling.skipped_runs',
  'ml.sampling.skipped_rows',
  'ml.sampling.skipped_errors',
  'ml.label.ids',
  'ml.label.classes',
  'ml.label.values',
  'ml.finding.id',
  'ml.finding.detector',
  'ml.finding.feature',
  'ml.finding.statistic',
  'ml.finding.value',
  'ml.finding.threshold',
  'ml.finding.p_value',
  'ml.finding.effect_size',
  'ml.finding.severity',
  'ml.finding.window.start',
  'ml.finding.window.end',
  'ml.finding.reference.count',
  'ml.finding.current.count',
  'ml.finding.reference.summary',
  'ml.finding.current.summary',
  'ml.finding.exemplar_trace_ids',
  'ml.finding.statistics',
  'ml.finding.source.service',
  'ml.finding.pipeline.run_ids',
  'ml.finding.reference.mean',
  'ml.finding.current.mean',
  'ml.finding.reference.quantiles',
  'ml.finding.current.quantiles',
  'ml.finding.reference.range',
  'ml.finding.current.range',
  'ml.finding.reference.null_share',
  'ml.finding.current.null_share',
  'ml.finding.reference.top_values',
  'ml.finding.current.top_values',
  'ml.incident.id',
  'ml.incident.status',
  'ml.incident.title',
  'ml.incident.severity',
  'ml.incident.opened_at',
  'ml.incident.resolved_at',
  'ml.incident.finding_count',
  'ml.incident.features',
  'ml.incident.components',
  'ml.incident.root_cause.component',
  'ml.incident.root_cause.kind',
  'ml.incident.root_cause.score',
  'ml.incident.root_cause.explanation',
  'ml.incident.change',
  'ml.reaction.action',
  'ml.reaction.policy',
  'ml.reaction.status',
  'ml.reaction.target',
  'ml.reaction.id',
  'ml.reaction.reason',
  'ml.reaction.to',
  'ml.reaction.undo',
];

const AGREED_ENUMS: Record<string, string[]> = {
  'ml.component.kind': ['source', 'transform', 'features', 'inference', 'postprocess', 'sink', 'label'],
  'ml.summary.kind': ['numeric', 'categorical', 'text', 'vector'],
  'ml.prediction.task': ['classification', 'regression'],
  'ml.finding.severity': ['info', 'warning', 'critical'],
  'ml.incident.status': ['open', 'resolved'],
  'ml.incident.severity': ['info', 'warning', 'critical'],
  'ml.incident.change': ['opened', 'updated', 'resolved'],
  'ml.reaction.action': ['alert', 'fallback', 'rollback', 'retrain', 'quarantine'],
  'ml.reaction.status': ['triggered', 'succeeded', 'failed', 'suppressed'],
};

const AGREED_EVENTS = [
  'ml.features',
  'ml.predictions',
  'ml.labels',
  'ml.finding',
  'ml.incident',
  'ml.reaction',
];

const exported = semconv as Record<string, string>;
const upper = (key: string) => key.replaceAll('.', '_').toUpperCase();

describe('src/semconv constants', () => {
  it('export every agreed attribute key as ATTR_<KEY>', () => {
    const missing = AGREED_ATTRIBUTES.filter((key) => exported[`ATTR_${upper(key)}`] !== key);
    assert.deepEqual(missing, []);
  });

  it('export every agreed enum value as <KEY>_VALUE_<VALUE>', () => {
    const missing = Object.entries(AGREED_ENUMS).flatMap(([key, values]) =>
      values.filter((v) => exported[`${upper(key)}_VALUE_${upper(v)}`] !== v).map((v) => `${key}=${v}`),
    );
    assert.deepEqual(missing, []);
  });

  it('export every agreed event name as EVENT_<NAME>', () => {
    assert.deepEqual(
      AGREED_EVENTS.filter((name) => exported[`EVENT_${upper(name)}`] !== name),
      [],
    );
  });

  it('hold no ml.* key that was not agreed, so additions are deliberate', () => {
    const attributeValues = Object.entries(exported)
      .filter(([name]) => name.startsWith('ATTR_'))
      .map(([, value]) => value);
    assert.deepEqual(
      attributeValues.filter((v) => !AGREED_ATTRIBUTES.includes(v)),
      [],
    );
    assert.equal(attributeValues.length, AGREED_ATTRIBUTES.length);
  });
});
