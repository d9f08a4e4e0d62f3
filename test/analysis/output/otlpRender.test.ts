import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainFromKeyValues } from '../../../src/analysis/adapters/fromOtlp.js';
import {
  findingsToLogsData,
  findingToLogRecord,
  incidentsToTracesData,
  incidentToSpan,
} from '../../../src/analysis/output/otlpRender.js';
import type { Finding, Incident } from '../../../src/model/finding.js';
import { StatusCode } from '../../../src/model/otlp.js';
import {
  ATTR_ML_FINDING_DETECTOR,
  ATTR_ML_FINDING_EXEMPLAR_TRACE_IDS,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_ID,
  ATTR_ML_FINDING_P_VALUE,
  ATTR_ML_FINDING_SEVERITY,
  ATTR_ML_FINDING_VALUE,
  ATTR_ML_FINDING_WINDOW_START,
  ATTR_ML_INCIDENT_FEATURES,
  ATTR_ML_INCIDENT_FINDING_COUNT,
  ATTR_ML_INCIDENT_RESOLVED_AT,
  ATTR_ML_INCIDENT_STATUS,
  EVENT_ML_FINDING,
  EVENT_ML_INCIDENT,
} from '../../../src/semconv/index.js';

const T0 = Date.UTC(2026, 0, 1);
const trace1 = '1'.repeat(32);
const trace2 = '2'.repeat(32);

const finding: Finding = {
  id: 'f1',
  detector: 'missing_rate',
  stream: { service: 'shop', pipeline: 'churn', component: 'featurize', model: '' },
  feature: 'monthly_spend',
  statistic: 'null_rate',
  value: 0.3,
  threshold: 0.1,
  pValue: 1e-9,
  effectSize: 0.3,
  severity: 'critical',
  windowStartMs: T0,
  windowEndMs: T0 + 60_000,
  referenceCount: 1000,
  currentCount: 800,
  exemplarTraceIds: [trace1, trace2],
  message: 'monthly_spend: 30% null',
  details: { exemplarSpanIds: ['a'.repeat(16), 'b'.repeat(16)] },
};

const incident: Incident = {
  id: 'i1',
  status: 'open',
  title: 'missing_rate in churn: monthly_spend (featurize)',
  severity: 'critical',
  service: 'shop',
  pipeline: 'churn',
  openedAtMs: T0 + 60_000,
  lastFindingAtMs: T0 + 120_000,
  components: ['featurize'],
  features: ['monthly_spend'],
  findings: [finding],
  findingCount: 3,
  causes: [],
};

describe('OTLP rendering', () => {
  it('renders an open incident as an ml.incident span linked to exemplar traces', () => {
    const s = incidentToSpan(incident);
    assert.equal(s.name, EVENT_ML_INCIDENT);
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.equal(s.startTimeUnixNano, BigInt(T0 + 60_000) * 1_000_000n);
    assert.equal(s.endTimeUnixNano, BigInt(T0 + 120_000) * 1_000_000n);
    assert.equal(s.status.code, StatusCode.ERROR);
    const a = plainFromKeyValues(s.attributes);
    assert.equal(a[ATTR_ML_INCIDENT_STATUS], 'open');
    assert.deepEqual(a[ATTR_ML_INCIDENT_FEATURES], ['monthly_spend']);
    assert.equal(a[ATTR_ML_INCIDENT_FINDING_COUNT], 3);
    assert.equal(a[ATTR_ML_INCIDENT_RESOLVED_AT], undefined);
    assert.deepEqual(
      s.links.map((l) => [l.traceId, l.spanId, plainFromKeyValues(l.attributes)[ATTR_ML_FINDING_ID]]),
      [
        [trace1, 'a'.repeat(16), 'f1'],
        [trace2, 'b'.repeat(16), 'f1'],
      ],
    );
  });

  it('renders the resolved incident in the same trace with its resolution time', () => {
    const open = incidentToSpan(incident);
    const resolved = incidentToSpan({ ...incident, status: 'resolved', resolvedAtMs: T0 + 300_000 });
    assert.equal(resolved.traceId, open.traceId);
    assert.notEqual(resolved.spanId, open.spanId);
    assert.equal(resolved.status.code, StatusCode.OK);
    assert.equal(
      plainFromKeyValues(resolved.attributes)[ATTR_ML_INCIDENT_RESOLVED_AT],
      '2026-01-01T00:05:00.000Z',
    );
  });

  it('renders a finding as an ml.finding log record correlated with its first exemplar', () => {
    const r = findingToLogRecord(finding);
    assert.equal(r.eventName, EVENT_ML_FINDING);
    assert.equal(r.severityNumber, 17);
    assert.equal(r.traceId, trace1);
    assert.equal(r.spanId, 'a'.repeat(16));
    assert.deepEqual(r.body, { stringValue: 'monthly_spend: 30% null' });
    const a = plainFromKeyValues(r.attributes);
    assert.equal(a[ATTR_ML_FINDING_DETECTOR], 'missing_rate');
    assert.equal(a[ATTR_ML_FINDING_FEATURE], 'monthly_spend');
    assert.equal(a[ATTR_ML_FINDING_VALUE], 0.3);
    assert.equal(a[ATTR_ML_FINDING_P_VALUE], 1e-9);
    assert.equal(a[ATTR_ML_FINDING_SEVERITY], 'critical');
    assert.equal(a[ATTR_ML_FINDING_WINDOW_START], '2026-01-01T00:00:00.000Z');
    assert.deepEqual(a[ATTR_ML_FINDING_EXEMPLAR_TRACE_IDS], [trace1, trace2]);
  });

  it('leaves out non-finite numbers, which OTLP/JSON cannot carry', () => {
    const r = findingToLogRecord({ ...finding, value: Number.POSITIVE_INFINITY, pValue: undefined });
    const a = plainFromKeyValues(r.attributes);
    assert.equal(ATTR_ML_FINDING_VALUE in a, false);
    assert.equal(ATTR_ML_FINDING_P_VALUE in a, false);
  });

  it('wraps incidents and findings in OTLP batches under the given resource', () => {
    const t = incidentsToTracesData([incident], { 'service.name': 'mlobs' });
    assert.equal(t.resourceSpans[0]!.scopeSpans[0]!.spans.length, 1);
    assert.deepEqual(plainFromKeyValues(t.resourceSpans[0]!.resource.attributes), {
      'service.name': 'mlobs',
    });
    const l = findingsToLogsData([finding, finding], { 'service.name': 'mlobs' });
    assert.equal(l.resourceLogs[0]!.scopeLogs[0]!.logRecords.length, 2);
  });
});
