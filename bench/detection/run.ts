/**
 * The detection benchmark: `npm run bench:detection` (full) or `npm run bench:detection --
 * --quick`. Prints the Markdown report and writes it to bench/detection/results.md.
 * Options: `--quick` (smaller plan), `--jobs N` (worker processes, default 2), `--out FILE`, and for
 * what-if runs of the window study only: `--sizes 10,20`, `--min-count N` (detectors' minCount) and
 * `--unshifted-runs N` (unshifted windows per cell, default 100), `--datasets a,b` (only these
 * tables) and `--streams` (run the stream study in such a what-if run too).
 * Work is split into one task per dataset and experiment, each run in a child process; every
 * run's seed comes from its cell coordinates, so the split never changes a number.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CellResult, type Plan, runDataset } from './cellExperiment.js';
import type { Dataset } from './dataset.js';
import { realTables } from './RealTable.js';
import { renderReport } from './report.js';
import { SyntheticTable } from './SyntheticTable.js';
import { allShifts } from './shifts.js';
import { runStreams, type StreamPlan, type StreamResult } from './streamExperiment.js';

const SCRIPT = join('bench', 'detection', 'run.ts');
const SIZES = [10, 20, 50, 100, 200, 500, 1000, 10_000, 100_000];

interface Task {
  kind: 'cells' | 'stream';
  dataset: string;
}

interface Args {
  quick: boolean;
  jobs: number;
  out: string;
  task: string | undefined;
  /** `--sizes 10,20`: only these window sizes. */
  sizes: number[] | undefined;
  /** `--min-count N`: minCount of the per-feature detectors instead of their default 10 (what-if). */
  minCount: number | undefined;
  /** `--unshifted-runs N`: unshifted windows per cell instead of 100 (a finer false-alarm estimate). */
  unshiftedRuns: number | undefined;
  /** `--datasets a,b`: only these tables. */
  datasets: string[] | undefined;
  /** `--streams`: run the stream study in a what-if run too. */
  streams: boolean;
}

function args(): Args {
  const a = process.argv.slice(2);
  const value = (flag: string) => {
    const i = a.indexOf(flag);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const jobs = Number(value('--jobs') ?? 2);
  if (!(Number.isInteger(jobs) && jobs >= 1))
    throw new RangeError(`--jobs: must be an integer >= 1, got ${value('--jobs')}`);
  return {
    quick: a.includes('--quick'),
    jobs,
    out: value('--out') ?? join('bench', 'detection', 'results.md'),
    task: value('--task'),
    sizes: list('--sizes', value('--sizes')),
    minCount: optionalInt('--min-count', value('--min-count')),
    unshiftedRuns: optionalInt('--unshifted-runs', value('--unshifted-runs')),
    datasets: value('--datasets')?.split(','),
    streams: a.includes('--streams'),
  };
}

function list(flag: string, v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const xs = v.split(',').map(Number);
  if (!xs.every((x) => Number.isInteger(x) && x > 0))
    throw new RangeError(`${flag}: must be comma-separated integers > 0, got ${v}`);
  return xs;
}

function optionalInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(Number.isInteger(x) && x >= 1)) throw new RangeError(`${flag}: must be an integer >= 1, got ${v}`);
  return x;
}

function plan(a: Args): Plan {
  const quick = a.quick;
  const m = a.minCount;
  return {
    sizes: a.sizes ?? (quick ? [20, 100, 1000, 10_000] : SIZES),
    ...(m === undefined
      ? {}
      : {
          detectors: {
            schema: { minCount: m },
            missing_rate: { minCount: m },
            numeric_drift: { minCount: m },
            categorical_drift: { minCount: m },
          },
        }),
    // Small windows get five times the clean runs: the 1% budget at n = 20 is checked on 500
    // windows per dataset and clean condition, not 100.
    unshiftedRuns: (n) => a.unshiftedRuns ?? (quick ? 30 : n <= 20 ? 500 : 100),
    // The n = 100 000 cells cost ~0.3–0.7 s a window on this 2-core machine (mostly sorting
    // for the raw-row KS); 10 shifted windows there keep the full run near 10 minutes.
    shiftedRuns: (n) => (quick ? 10 : n >= 100_000 ? 10 : 20),
    referenceRows: 10_000,
    references: 5,
    segments: 10,
    alpha: 0.05,
    exactLimit: 200_000,
  };
}

function streamPlan(quick: boolean): StreamPlan {
  return {
    rowsPerWindow: 1000,
    spansPerWindow: 4,
    warmup: 5,
    clean: 10,
    after: 6,
    seeds: quick ? 2 : 5,
    shiftIds: allShifts()
      .filter(
        (s) =>
          s.id !== 'none' &&
          s.id !== 'mean_0.05sd' &&
          !s.id.startsWith('noise_s0.1') &&
          s.id !== 'new_category_5',
      )
      .map((s) => s.id),
  };
}

function datasets(quick: boolean, only?: string[]): Dataset[] {
  const all: Dataset[] = [new SyntheticTable(), ...realTables()];
  if (only !== undefined) {
    const unknown = only.filter((name) => !all.some((d) => d.name === name));
    if (unknown.length > 0)
      throw new RangeError(
        `--datasets: unknown ${unknown.join(', ')} (known: ${all.map((d) => d.name).join(', ')})`,
      );
    return all.filter((d) => only.includes(d.name));
  }
  return quick ? all.filter((d) => d.name === 'synthetic' || d.name === 'penguins') : all;
}

function runTask(task: Task, a: Args): CellResult[] | StreamResult[] {
  const quick = a.quick;
  const d = datasets(quick, a.datasets).find((x) => x.name === task.dataset);
  if (d === undefined) throw new Error(`unknown dataset ${task.dataset}`);
  if (task.kind === 'stream') return runStreams(d, streamPlan(quick));
  return runDataset(d, plan(a), (c) =>
    process.stderr.write(
      `  ${c.dataset} ${c.shift} n=${c.n}: mlobs ${c.mlobs}/${c.runs} ks ${c.ks}/${c.runs} (${(c.ms / 1000).toFixed(1)} s)\n`,
    ),
  );
}

/** The options a child needs to rebuild the same plan. */
function forwarded(a: Args): string[] {
  return [
    ...(a.quick ? ['--quick'] : []),
    ...(a.sizes ? ['--sizes', a.sizes.join(',')] : []),
    ...(a.minCount !== undefined ? ['--min-count', String(a.minCount)] : []),
    ...(a.unshiftedRuns !== undefined ? ['--unshifted-runs', String(a.unshiftedRuns)] : []),
    ...(a.datasets !== undefined ? ['--datasets', a.datasets.join(',')] : []),
    ...(a.streams ? ['--streams'] : []),
  ];
}

function inChild(task: Task, a: Args): Promise<CellResult[] | StreamResult[]> {
  if (a.jobs === 1) return Promise.resolve(runTask(task, a));
  return new Promise((resolve, reject) => {
    const child = fork(
      join(process.cwd(), SCRIPT),
      ['--task', `${task.kind}:${task.dataset}`, ...forwarded(a)],
      {
        execArgv: process.execArgv,
        serialization: 'advanced',
      },
    );
    let result: CellResult[] | StreamResult[] | undefined;
    child.on('message', (m) => {
      result = m as CellResult[] | StreamResult[];
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`task ${task.kind}:${task.dataset} exited with code ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const a = args();
  if (a.task !== undefined) {
    const [kind, dataset] = a.task.split(':') as [Task['kind'], string];
    const result = runTask({ kind, dataset }, a);
    await new Promise<void>((resolve) => process.send?.(result, () => resolve()) ?? resolve());
    return;
  }
  const started = performance.now();
  const ds = datasets(a.quick, a.datasets);
  const tasks: Task[] = [
    ...ds.map((d) => ({ kind: 'cells' as const, dataset: d.name })),
    // What-if runs (other sizes, minCount or unshifted runs) change only the window study.
    ...((a.sizes || a.minCount !== undefined || a.unshiftedRuns !== undefined) && !a.streams
      ? []
      : ds.map((d) => ({ kind: 'stream' as const, dataset: d.name }))),
  ];
  const cells: CellResult[] = [];
  const streams: StreamResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++] as Task;
      const t = performance.now();
      const r = await inChild(task, a);
      if (task.kind === 'cells') cells.push(...(r as CellResult[]));
      else streams.push(...(r as StreamResult[]));
      process.stderr.write(
        `done ${task.kind}:${task.dataset} in ${((performance.now() - t) / 1000).toFixed(0)} s\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(a.jobs, tasks.length) }, worker));
  const order = new Map(ds.map((d, i) => [d.name, i]));
  const shiftOrder = new Map(allShifts().map((s, i) => [s.id, i]));
  const rank = (x: { dataset: string; shift: string }) =>
    (order.get(x.dataset) ?? 0) * 100 + (shiftOrder.get(x.shift) ?? 0);
  cells.sort((x, y) => rank(x) - rank(y) || x.n - y.n);
  streams.sort((x, y) => rank(x) - rank(y));
  const p = plan(a);
  const sp = streamPlan(a.quick);
  const report = renderReport({
    command: `npm run bench:detection${forwarded(a).length ? ` -- ${forwarded(a).join(' ')}` : ''}`,
    planLines: [
      `${a.quick ? 'QUICK run (smaller plan; not the study)' : 'full run'}; window sizes n ∈ {${p.sizes.join(', ')}}`,
      `${p.unshiftedRuns(1000)} clean (no shift; rows repeated) windows per (dataset, n) cell, ${p.unshiftedRuns(20)} at n ≤ 20; ${p.shiftedRuns(0)} shifted windows per (dataset, shift, n) cell${
        p.sizes.includes(100_000) && p.shiftedRuns(100_000) !== p.shiftedRuns(0)
          ? `, except n = 100 000: ${p.shiftedRuns(100_000)} shifted windows per cell (run time; the unshifted count is kept)`
          : ''
      }`,
      `reference: ${p.referenceRows} rows per reference sample unless the table sets its own (movies, airports 2 000; gapminder 500), ${p.references} samples rotated over runs; mlobs sees each as a profile of ${p.segments} segments (calibration), the reference method sees its raw rows`,
      `mlobs: ${a.minCount === undefined ? 'default detector set (createDetectors())' : `default detector set except minCount = ${a.minCount} for schema, missing_rate, numeric_drift and categorical_drift (what-if; the default is 10)`}, judgeWindow as the Analyzer calls it, one Benjamini–Hochberg correction per window across all detectors and features at the default FDR 0.01; "detected" = at least one finding`,
      `reference method: two-sample KS on raw rows per feature (nulls coded −∞, categories coded by reference frequency rank), Bonferroni at α = ${p.alpha}; exact p-value when n·m ≤ ${p.exactLimit}, Stephens-corrected asymptotic above`,
      `stream: ${sp.seeds} streams per (dataset, shift) through the Analyzer; ${sp.rowsPerWindow} rows per 1-minute window in ${sp.spansPerWindow} spans; ${sp.warmup} warm-up windows (reference), ${sp.clean} clean windows, change point, ${sp.after} shifted windows`,
    ],
    datasets: ds.map((d) => ({ name: d.name, description: d.description })),
    cells,
    streams,
    seconds: (performance.now() - started) / 1000,
  });
  writeFileSync(resolve(process.cwd(), a.out), report);
  process.stdout.write(report);
  process.stderr.write(`wrote ${a.out}\n`);
}

main().catch((err) => {
  process.stderr.write(
    `bench:detection failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
