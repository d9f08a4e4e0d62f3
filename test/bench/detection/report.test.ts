import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellResult } from '../../../bench/detection/cellExperiment.js';
import { alignTables, goals, renderReport } from '../../../bench/detection/report.js';
import type { StreamResult } from '../../../bench/detection/streamExperiment.js';

function cell(shift: string, n: number, runs: number, mlobs: number, ks: number): CellResult {
  return {
    dataset: 'd',
    shift,
    n,
    runs,
    mlobs,
    ks,
    ksMatched: ks,
    naive: ks,
    atLevels: [mlobs, mlobs, mlobs, mlobs, mlobs, mlobs],
    fired: {},
    detectors: {},
    ms: 1,
  };
}

const stream = (delays: number[]): StreamResult => ({
  dataset: 'd',
  shift: 'unit_x1000',
  streams: delays.length,
  findingDelays: delays,
  incidentDelays: delays.map((d) => d + 1),
  cleanWindowsWithFinding: 0,
  cleanWindows: 10 * delays.length,
});

describe('detection report', () => {
  it('passes the false-alarm goal at 1 in 100 and fails it at 2 in 100', () => {
    assert.equal(goals([cell('none', 100, 100, 1, 0)], [])[0]?.met, true);
    const bad = goals([cell('none', 100, 100, 2, 0)], [])[0];
    assert.equal(bad?.met, false);
    assert.match(bad?.detail ?? '', /n=100: 2\.0%/);
  });

  it('judges false alarms per dataset and clean condition, not only pooled', () => {
    const pooledOk = [
      cell('none', 100, 100, 0, 0),
      { ...cell('none', 100, 100, 2, 0), dataset: 'e' },
      { ...cell('none_repeated', 100, 100, 0, 0), dataset: 'e' },
    ];
    assert.equal(goals(pooledOk, [])[0]?.met, true);
    const perStream = goals(pooledOk, [])[1];
    assert.equal(perStream?.met, false);
    assert.match(perStream?.detail ?? '', /e\/none n=100: 2\/100/);
  });

  it('counts a cell more than 0.05 behind exact KS (α = 0.01) at n ≤ 1000 as a miss, and ignores n above 1000', () => {
    const g = goals([cell('stuck', 20, 20, 10, 20), cell('stuck', 10_000, 20, 0, 20)], [])[2];
    assert.equal(g?.met, false);
    assert.match(g?.detail ?? '', /0\/1 .*d\/stuck at n=20 \(0\.50 vs KS 1\.00\)/);
  });

  it('judges the large-shift power goal only at n ≥ 100', () => {
    const g = goals([cell('unit_x1000', 20, 20, 0, 20), cell('unit_x1000', 100, 20, 19, 20)], [])[3];
    assert.equal(g?.met, true, g?.detail);
  });

  it('fails the stream goal when a stream detected after 3 windows or never', () => {
    assert.equal(goals([], [stream([0, 1, 2])])[4]?.met, true);
    assert.equal(goals([], [stream([0, 3])])[4]?.met, false);
    assert.equal(goals([], [stream([0, Number.POSITIVE_INFINITY])])[4]?.met, false);
  });

  it('fails the stream goal when a clean stream set (rows repeated) has findings in more than 1% of its windows', () => {
    const repeated: StreamResult = {
      ...stream([Number.POSITIVE_INFINITY]),
      shift: 'none_repeated',
      cleanWindowsWithFinding: 2,
      cleanWindows: 100,
    };
    const g = goals([], [stream([0, 1]), repeated])[4];
    assert.equal(g?.met, false);
    assert.match(g?.detail ?? '', /2\/2 streams detected within 2 windows/);
    assert.match(g?.detail ?? '', /above 1%: d\/none_repeated 2\/100/);
  });

  it('judges no stream goal when no stream ran (what-if runs)', () => {
    assert.equal(goals([cell('none', 100, 100, 0, 0)], []).length, 4);
  });

  it('renders every section with Wilson intervals and the command', () => {
    const md = renderReport({
      command: 'npm run bench:detection',
      planLines: ['plan'],
      datasets: [{ name: 'd', description: 'test table' }],
      cells: [cell('none', 100, 100, 0, 3), cell('unit_x1000', 100, 20, 20, 20)],
      streams: [stream([0, 1])],
      seconds: 1,
    });
    for (const heading of [
      '## Goals',
      '## False alarms',
      '## False alarms per dataset',
      '## False alarms per detector',
      '## Power on d',
      '## Stream detection delay',
    ])
      assert.ok(md.includes(heading), heading);
    assert.ok(md.includes('`npm run bench:detection`'));
    assert.match(md, /0\.0% \[0\.0%, 3\.7%\]/);
    assert.match(md, /1\.00 \[0\.84, 1\.00\] · KS 1\.00/);
  });
});

describe('detection report breakdown', () => {
  it("tells σ = 0.1 noise apart from real gaps and leaves the study's extra +0.05 sd shift out of the goal", () => {
    const g = goals(
      [
        cell('noise_s0.1_d1', 1000, 20, 0, 10),
        cell('mean_0.05sd', 1000, 20, 0, 10),
        cell('rename', 500, 20, 5, 20),
        cell('stuck', 10, 20, 18, 19),
      ],
      [],
    )[2];
    assert.equal(g?.met, false);
    assert.match(g?.detail ?? '', /^1\/3 \(dataset, shift, n\) cells within 0\.05 or ahead/);
    assert.match(g?.detail ?? '', /1 of the 2 behind are σ = 0\.1·sd noise/);
    assert.match(g?.detail ?? '', /behind: d\/noise_s0\.1_d1 at n=1000 .*d\/rename at n=500/);
    assert.doesNotMatch(g?.detail ?? '', /mean_0\.05sd/);
    // The goal compares with exact KS at α = 0.01 (ksMatched); α = 0.05 is shown beside it.
    const matched = goals([{ ...cell('knockout', 100, 20, 8, 14), ksMatched: 9 }], [])[2];
    assert.equal(matched?.met, true);
    assert.match(
      matched?.detail ?? '',
      /^1\/1 .*behind: none\. For comparison, against exact KS at α = 0\.05 \(a 5% budget\): 0\/1/,
    );
  });

  it('tables clean windows with a finding per detector at every n', () => {
    const md = renderReport({
      command: 'npm run bench:detection',
      planLines: ['plan'],
      datasets: [{ name: 'd', description: 'test table' }],
      cells: [
        { ...cell('none', 20, 500, 2, 0), detectors: { categorical_drift: 2 } },
        { ...cell('none_repeated', 20, 500, 1, 0), detectors: { numeric_drift: 1 } },
        cell('none', 100, 100, 0, 0),
      ],
      streams: [],
      seconds: 1,
    });
    assert.match(md, /\| +20 \| +1000 \| +0\.2% \| +0\.1% \|/);
    assert.match(md, /\| +100 \| +100 \| +0\.0% \| +0\.0% \|/);
  });
});

describe('error budget table', () => {
  it('reads each FDR level: false alarms at the worst n and the cells behind exact KS', () => {
    const md = renderReport({
      command: 'npm run bench:detection',
      planLines: ['plan'],
      datasets: [{ name: 'd', description: 'test table' }],
      cells: [
        { ...cell('none', 100, 200, 1, 4), atLevels: [1, 1, 2, 2, 3, 6] },
        { ...cell('none', 20, 200, 0, 4), atLevels: [0, 0, 0, 1, 1, 3] },
        { ...cell('knockout', 100, 20, 6, 10), atLevels: [6, 6, 7, 8, 9, 10] },
      ],
      streams: [],
      seconds: 1,
    });
    const rows = md.split('\n').filter((l) => /^\| +0\.0[1-5]/.test(l));
    assert.equal(rows.length, 6, md);
    // Level 0.01: 0.5% at n = 100, knockout 0.30 vs KS 0.50 is behind.
    assert.match(rows[0] ?? '', /0\.01 \(default\) \| 0\.5% \(100\) +\| none +\| +0\/1 \| d\/knockout 100/);
    // Level 0.05: 3.0% at n = 100 and 1.5% at n = 20 are over 1%; the knockout cell catches up.
    assert.match(rows[5] ?? '', /0\.05 \| 3\.0% \(100\) +\| 20 \(1\.5%\), 100 \(3\.0%\) +\| +1\/1 \| none/);
  });
});

describe('alignTables', () => {
  it('pads columns the way the Markdown formatter does, right-aligning ---: columns', () => {
    const md = ['text', '| n | shift |', '|---:|---|', '| 10 | σ=0.1 noise |', '| 100 000 | x |', ''].join(
      '\n',
    );
    assert.equal(
      alignTables(md),
      [
        'text',
        '|       n | shift       |',
        '| ------: | ----------- |',
        '|      10 | σ=0.1 noise |',
        '| 100 000 | x           |',
        '',
      ].join('\n'),
    );
  });
});
