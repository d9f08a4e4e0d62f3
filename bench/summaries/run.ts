/**
 * Throughput of `summarize` on one core: values per second for numeric Float64Array, numeric
 * plain arrays, categorical strings and row objects, at several batch sizes. Each case is
 * warmed up, then timed several times (each sample repeats small batches up to ~1M values);
 * the median is reported, by wall clock and by this process's CPU time — the latter is the
 * fairer figure on a shared machine. Run: `npm run bench:summaries`.
 */

import { loadavg } from 'node:os';
import { summarize } from '../../src/summaries/index.js';

interface Case {
  name: string;
  size: number;
  /** Values summarized per run (rows × features for row input). */
  values: number;
  /** Summarizes input copy `j` (copies exist only for cases with `prepare`). */
  run: (j: number) => unknown;
  /** Untimed set-up of `copies` fresh inputs before each sample. */
  prepare?: (copies: number) => void;
}

const WARMUP = 3;
const REPEATS = 9;
const SIZES = [10_000, 100_000, 1_000_000];

/** Deterministic PRNG so every run measures the same data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function cases(): Case[] {
  const rand = mulberry32(42);
  const pool = Array.from({ length: 1000 }, (_, i) => `category_${i}`);
  const out: Case[] = [];
  for (const size of SIZES) {
    const f64 = new Float64Array(size);
    for (let i = 0; i < size; i++) f64[i] = 100 + 15 * normal(rand);
    const plain = Array.from(f64);
    // Zipf-like skew: a few categories dominate, as in real categorical features.
    const cats = Array.from({ length: size }, () => pool[Math.floor(pool.length * rand() ** 3)]);
    out.push({ name: 'numeric Float64Array', size, values: size, run: () => summarize({ x: f64 }) });
    out.push({ name: 'numeric number[]', size, values: size, run: () => summarize({ x: plain }) });
    out.push({ name: 'categorical string[]', size, values: size, run: () => summarize({ c: cats }) });
    // Strings as a parser produces them: one string object per cell, hashes not yet cached.
    const json = JSON.stringify(cats);
    let fresh: string[][] = [];
    out.push({
      name: 'categorical string[] (fresh strings)',
      size,
      values: size,
      prepare: (copies) => {
        fresh = Array.from({ length: copies }, () => JSON.parse(json) as string[]);
      },
      run: (j) => summarize({ c: fresh[j] }),
    });
    const rowsCount = size / 10;
    const rows = Array.from({ length: rowsCount }, (_, r) => ({
      a: f64[r],
      b: f64[(r * 7) % size],
      c: f64[(r * 13) % size],
      d: Math.round(f64[(r * 17) % size]),
      e: f64[(r * 19) % size] > 100,
      f: cats[r],
      g: cats[(r * 3) % size],
      h: cats[(r * 5) % size],
      i: r % 3 === 0 ? null : f64[(r * 23) % size],
      j: cats[(r * 11) % size],
    }));
    out.push({
      name: 'rows (10 features)',
      size: rowsCount,
      values: rowsCount * 10,
      run: () => summarize(rows),
    });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Values per timed sample: small batches are repeated so timer resolution does not dominate. */
const SAMPLE_VALUES = 1_000_000;

function main(): void {
  const rows: string[][] = [
    ['case', 'rows', 'values/run', 'wall ms/run', 'M values/s wall', 'M values/s CPU'],
  ];
  for (const c of cases()) {
    const inner = Math.max(1, Math.round(SAMPLE_VALUES / c.values));
    for (let i = 0; i < WARMUP; i++) {
      c.prepare?.(inner);
      for (let j = 0; j < inner; j++) c.run(j);
    }
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      c.prepare?.(inner);
      const t0 = process.hrtime.bigint();
      const u0 = process.cpuUsage();
      for (let j = 0; j < inner; j++) c.run(j);
      const u = process.cpuUsage(u0);
      wall.push(Number(process.hrtime.bigint() - t0) / 1e6 / inner);
      cpu.push((u.user + u.system) / 1e3 / inner);
    }
    const ms = median(wall);
    const cpuMs = median(cpu);
    rows.push([
      c.name,
      String(c.size),
      String(c.values),
      ms.toFixed(3),
      (c.values / ms / 1000).toFixed(1),
      (c.values / cpuMs / 1000).toFixed(1),
    ]);
  }
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const r of rows)
    console.log(r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  const [load1] = loadavg();
  console.log(
    `node ${process.version}, ${WARMUP} warm-up + median of ${REPEATS} samples of ~${SAMPLE_VALUES} values, one core, load average ${load1.toFixed(1)}`,
  );
}

main();
