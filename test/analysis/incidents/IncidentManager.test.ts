import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type IncidentChange, IncidentManager } from '../../../src/analysis/incidents/IncidentManager.js';
import { resolveIncidentOptions } from '../../../src/analysis/incidents/IncidentOptions.js';
import type { Finding, Incident, Severity, StreamKey } from '../../../src/model/finding.js';

const STEP = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const featurize: StreamKey = { service: 'svc', pipeline: 'churn', component: 'featurize', model: '' };
const score: StreamKey = { service: 'svc', pipeline: 'churn', component: 'score', model: 'm' };
const other: StreamKey = { service: 'svc', pipeline: 'fraud', component: 'score', model: 'm' };

function finding(stream: StreamKey, feature: string, w: number, severity: Severity = 'warning'): Finding {
  return {
    id: `${stream.component}-${feature}-${w}`,
    detector: 'missing_rate',
    stream,
    feature,
    statistic: 'null_rate',
    value: 0.3,
    threshold: 0.1,
    effectSize: 0.3,
    severity,
    windowStartMs: T0 + w * STEP,
    windowEndMs: T0 + (w + 1) * STEP,
    referenceCount: 100,
    currentCount: 100,
    exemplarTraceIds: [],
    message: '',
    details: {},
  };
}

function setup(o: Parameters<typeof resolveIncidentOptions>[0] = {}) {
  const events: [IncidentChange, Incident][] = [];
  const m = new IncidentManager(resolveIncidentOptions(o, STEP), STEP, (c, i) =>
    events.push([c, structuredClone(i)]),
  );
  /** Closes window `w` of a stream with findings for the given features. */
  const win = (stream: StreamKey, w: number, features: string[] = [], severity: Severity = 'warning') => {
    m.processWindow(
      stream,
      T0 + (w + 1) * STEP,
      features.map((f) => finding(stream, f, w, severity)),
    );
    m.tick(T0 + (w + 1) * STEP);
  };
  return { m, events, win };
}

describe('IncidentManager', () => {
  it('does not open an incident for one anomalous window', () => {
    const { events, win } = setup();
    win(featurize, 0, ['x']);
    for (let w = 1; w < 10; w++) win(featurize, w);
    assert.equal(events.length, 0);
  });

  it('opens after 2 of the last 3 windows, including the earlier finding', () => {
    const { events, win } = setup();
    win(featurize, 0, ['x']);
    win(featurize, 1);
    win(featurize, 2, ['x']);
    assert.equal(events.length, 1);
    const [change, incident] = events[0]!;
    assert.equal(change, 'opened');
    assert.equal(incident.status, 'open');
    assert.deepEqual(incident.features, ['x']);
    assert.equal(incident.findingCount, 2);
    assert.equal(incident.openedAtMs, T0 + 3 * STEP);
  });

  it('counts a window once for hysteresis and keeps every statistic of the opening window', () => {
    const { events, m } = setup();
    const two = (w: number) => {
      const ks = finding(featurize, 'x', w);
      const psi = { ...finding(featurize, 'x', w), id: `psi-${w}`, statistic: 'psi' };
      m.processWindow(featurize, T0 + (w + 1) * STEP, [ks, psi]);
      m.tick(T0 + (w + 1) * STEP);
    };
    two(0);
    assert.equal(events.length, 0, 'two statistics of one window are not two windows');
    two(1);
    assert.equal(events.length, 1);
    // The earlier window is remembered by its worst finding only (that is what hysteresis keeps).
    const i = events[0]![1];
    assert.equal(i.findingCount, 3);
    assert.deepEqual(i.findings.map((f) => f.statistic).sort(), ['null_rate', 'null_rate', 'psi']);
  });

  it('opens a critical finding at once', () => {
    const { events, win } = setup();
    win(featurize, 0, ['x'], 'critical');
    assert.deepEqual(
      events.map((e) => [e[0], e[1].severity]),
      [['opened', 'critical']],
    );
  });

  it('deduplicates repeated findings of the same key into the open incident', () => {
    const { events, win, m } = setup();
    for (let w = 0; w < 6; w++) win(featurize, w, ['x']);
    assert.deepEqual(
      events.map((e) => e[0]),
      ['opened'],
    );
    assert.equal(m.openIncidents().length, 1);
    assert.equal(m.openIncidents()[0]!.findingCount, 6);
  });

  it('groups a second confirmed feature of the same pipeline into the open incident', () => {
    const { events, win, m } = setup();
    win(featurize, 0, ['x']);
    win(featurize, 1, ['x']);
    win(score, 1, ['prediction']);
    win(score, 2, ['prediction']);
    assert.deepEqual(
      events.map((e) => e[0]),
      ['opened', 'updated'],
    );
    const i = m.openIncidents();
    assert.equal(i.length, 1);
    // Name order, not the order findings arrived in (without a diagnosis there is no ranking).
    assert.deepEqual(i[0]!.features, ['prediction', 'x']);
    assert.deepEqual(i[0]!.components, ['featurize', 'score']);
  });

  it('opens a separate incident for another pipeline', () => {
    const { win, m } = setup();
    win(featurize, 0, ['x'], 'critical');
    win(other, 0, ['x'], 'critical');
    assert.deepEqual(
      m
        .openIncidents()
        .map((i) => i.pipeline)
        .sort(),
      ['churn', 'fraud'],
    );
  });

  it('resolves after the quiet period without findings', () => {
    const { events, win, m } = setup({ resolveAfterWindows: 3 });
    win(featurize, 0, ['x'], 'critical');
    win(featurize, 1);
    win(featurize, 2);
    assert.equal(m.openIncidents().length, 1, 'two quiet windows are not enough');
    win(featurize, 3);
    assert.equal(m.openIncidents().length, 0);
    const [change, incident] = events.at(-1)!;
    assert.equal(change, 'resolved');
    assert.equal(incident.status, 'resolved');
    assert.equal(incident.resolvedAtMs, T0 + 4 * STEP);
  });

  it('keeps an incident open while another of its streams still fires in the same round', () => {
    const { m, events } = setup({ resolveAfterWindows: 1 });
    m.processWindow(featurize, T0 + STEP, [finding(featurize, 'x', 0, 'critical')]);
    m.processWindow(score, T0 + STEP, [finding(score, 'p', 0, 'critical')]);
    m.tick(T0 + STEP);
    // Round 2: featurize is quiet but score still fires.
    m.processWindow(featurize, T0 + 2 * STEP, []);
    m.processWindow(score, T0 + 2 * STEP, [finding(score, 'p', 1, 'critical')]);
    m.tick(T0 + 2 * STEP);
    assert.equal(m.openIncidents().length, 1);
    assert.deepEqual(
      events.map((e) => e[0]),
      ['opened', 'updated'],
    );
  });

  it('resolves an incident whose streams stopped once time moves on', () => {
    const { m, win } = setup({ resolveAfterWindows: 3 });
    win(featurize, 0, ['x'], 'critical');
    m.tick(T0 + 10 * STEP);
    assert.equal(m.openIncidents().length, 0);
  });

  it('opens a new incident for the same key after the previous one resolved', () => {
    const { events, win } = setup({ resolveAfterWindows: 1 });
    win(featurize, 0, ['x'], 'critical');
    win(featurize, 1);
    win(featurize, 2, ['x'], 'critical');
    assert.deepEqual(
      events.map((e) => e[0]),
      ['opened', 'resolved', 'opened'],
    );
    assert.notEqual(events[0]![1].id, events[2]![1].id);
  });

  it('rate-limits new incidents per hour and counts the suppressed ones', () => {
    const { events, win, m } = setup({ maxNewPerHour: 2, groupWithinMs: 0, resolveAfterWindows: 1 });
    // Critical findings on alternating windows, each resolved by the quiet window after it:
    // every one opens (or would open) a new incident.
    for (let w = 0; w < 10; w += 2) {
      win(featurize, w, ['x'], 'critical');
      win(featurize, w + 1);
    }
    assert.equal(events.filter((e) => e[0] === 'opened').length, 2);
    assert.equal(m.suppressedByRate, 3);
    // An hour later the budget is back.
    win(featurize, 70, ['x'], 'critical');
    assert.equal(events.filter((e) => e[0] === 'opened').length, 3);
  });

  it('raises the incident severity when a worse finding joins', () => {
    const { events, win } = setup();
    win(featurize, 0, ['x']);
    win(featurize, 1, ['x']);
    win(featurize, 2, ['x'], 'critical');
    assert.deepEqual(
      events.map((e) => [e[0], e[1].severity]),
      [
        ['opened', 'warning'],
        ['updated', 'critical'],
      ],
    );
  });

  it('rejects openAfter larger than ofLast, naming the option', () => {
    assert.throws(() => resolveIncidentOptions({ openAfter: 4, ofLast: 3 }, STEP), /incidents\.openAfter/);
  });
  it('keeps one incident for a persistent fault in a stream that is judged only every few windows', () => {
    // score runs once every 4 windows (a batch job) and fails each time; featurize runs every
    // window and is clean, so time alone says "quiet for 3 windows" between score's runs.
    const { events, win } = setup();
    for (let w = 0; w < 24; w++) {
      if (w % 4 === 0) win(score, w, ['prediction']);
      win(featurize, w);
    }
    assert.deepEqual(
      events.filter(([c]) => c !== 'updated').map(([c]) => c),
      ['opened'],
    );
    // The fault ends: three clean runs of score resolve it.
    for (let w = 24; w < 40; w++) {
      if (w % 4 === 0) win(score, w);
      win(featurize, w);
    }
    assert.deepEqual(
      events.filter(([c]) => c !== 'updated').map(([c]) => c),
      ['opened', 'resolved'],
    );
    assert.equal(events.at(-1)![1].resolvedAtMs, T0 + 33 * STEP);
  });

  it('resolves once a stream that fed the incident stops sending altogether', () => {
    const { events, win } = setup();
    for (let w = 0; w < 4; w++) win(score, w, ['prediction']);
    // score goes silent (its windows never close again); featurize keeps time moving.
    for (let w = 4; w < 12; w++) win(featurize, w);
    assert.deepEqual(
      events.filter(([c]) => c !== 'updated').map(([c]) => c),
      ['opened', 'resolved'],
    );
    // Silent for 3 windows and for 3 of its usual 1-window gaps.
    assert.equal(events.at(-1)![1].resolvedAtMs, T0 + 7 * STEP);
  });
});
