/**
 * Floods a child collector (see `collector.ts`) with concurrent OTLP/HTTP requests and reports
 * what happened: requests acknowledged, spans acknowledged and spans that arrived at its
 * exporter, refusals (429/503, retried after their Retry-After as an OTLP client does), errors
 * (a dropped connection: the collector died), and the child's peak RSS from the kernel
 * (`VmHWM`), read before it exits. Used by the flood test (small) and the flood bench (large).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import type { FloodBody } from './shapes.js';

/** One flood run. */
export interface FloodOptions {
  /** The collector config tree; its otlp receiver must listen on `port`. */
  config: unknown;
  /** The receiver's HTTP port. */
  port: number;
  /** Requests, all sent at once; request i carries `bodies[i % bodies.length]`. */
  requests: number;
  /** Bodies to send. */
  bodies: readonly FloodBody[];
  /** Node flags for the child (e.g. `--max-old-space-size=256`). */
  execArgv?: string[];
  /** Give up retrying a refused request after this long. */
  deadlineMs: number;
}

/** What a flood run saw. */
export interface FloodResult {
  /** Requests answered 200. */
  acknowledged: number;
  /** Spans in those requests. */
  spansAcknowledged: number;
  /** Spans the child's exporter counted. */
  spansArrived: number;
  /** 429/503 answers (each followed by a retry). */
  refusals: number;
  /** Requests that ended in a socket error or a non-retryable status. */
  errors: number;
  /** What those errors were (`status 408`, `ECONNRESET`, ...), counted. */
  errorKinds: Record<string, number>;
  /** Requests still refused at the deadline. */
  gaveUp: number;
  /** Whether the child exited on its own (a crash). */
  crashed: boolean;
  /** The child's exit code or signal when it crashed. */
  exit: string;
  /** Peak resident set size of the child, bytes. */
  peakRssBytes: number;
  /** Wall time of the flood, ms. */
  ms: number;
}

/** Sends one body; resolves with the status and Retry-After (seconds), or the socket error. */
function post(port: number, b: FloodBody): Promise<{ status: number; retryAfter: number } | Error> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/traces',
        method: 'POST',
        agent: false,
        headers: { 'content-type': b.contentType, 'content-length': b.body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1) }),
        );
        res.on('error', (e) => resolve(e));
      },
    );
    req.on('error', (e) => resolve(e));
    req.end(b.body);
  });
}

function peakRss(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function ask<T>(child: ChildProcess, type: string, want: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== want) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', () => reject(new Error('collector exited')));
    child.send({ type });
  });
}

/** Runs one flood against a fresh child collector and stops it. */
export async function runFlood(o: FloodOptions): Promise<FloodResult> {
  const child = fork(join(__dirname, 'collector.ts'), [JSON.stringify(o.config)], {
    execArgv: ['--import', 'tsx', ...(o.execArgv ?? [])],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  let exit = '';
  let peak = 0;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? String(code);
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', () => reject(new Error(`collector did not start: ${stderr}`)));
  });
  // VmHWM disappears with the process: sample it so a crash still reports its peak.
  const sampler = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid));
  }, 50);
  const r: FloodResult = {
    acknowledged: 0,
    spansAcknowledged: 0,
    spansArrived: 0,
    refusals: 0,
    errors: 0,
    errorKinds: {},
    gaveUp: 0,
    crashed: false,
    exit: '',
    peakRssBytes: 0,
    ms: 0,
  };
  const t0 = Date.now();
  const deadline = t0 + o.deadlineMs;
  let crashed = false;
  let stopping = false;
  exited.then(() => {
    if (!stopping) crashed = true;
  });
  await Promise.all(
    Array.from({ length: o.requests }, async (_, i) => {
      const b = o.bodies[i % o.bodies.length];
      while (!crashed) {
        const res = await post(o.port, b);
        const kind = (k: string) => {
          r.errors++;
          r.errorKinds[k] = (r.errorKinds[k] ?? 0) + 1;
        };
        if (res instanceof Error) {
          kind((res as NodeJS.ErrnoException).code ?? res.message);
          return;
        }
        if (res.status === 200) {
          r.acknowledged++;
          r.spansAcknowledged += b.spans;
          return;
        }
        if (res.status !== 429 && res.status !== 503) {
          kind(`status ${res.status}`);
          return;
        }
        r.refusals++;
        if (Date.now() > deadline) {
          r.gaveUp++;
          return;
        }
        await new Promise((s) => setTimeout(s, Math.max(0.05, res.retryAfter) * 1000));
      }
    }),
  );
  r.ms = Date.now() - t0;
  peak = Math.max(peak, peakRss(child.pid));
  if (!crashed) {
    stopping = true;
    const stopped = await ask<{ arrived: number }>(child, 'stop', 'stopped').catch(() => ({ arrived: -1 }));
    r.spansArrived = stopped.arrived;
  }
  clearInterval(sampler);
  await exited;
  r.crashed = crashed;
  r.exit = exit;
  r.peakRssBytes = peak;
  return r;
}
