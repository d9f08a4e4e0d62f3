/**
 * `npm run bench:diagnosis [-- --seed N --cases N --out FILE --jobs N --only ID --no-determinism]`:
 * replays generated pipelines with one injected fault each through `MlSpanProcessor`, scores
 * mlobs' root-cause ranking and the baselines on the same incidents, prints the tables and
 * writes them to `--out` (default bench/diagnosis/results.md) and the cases mlobs got wrong
 * to `failures.md` beside it.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { caseById, caseList } from './cases.js';
import { type CaseOutcome, scoreCase } from './outcome.js';
import { renderFailures, renderReport } from './report.js';
import { type CaseSpec, runCase } from './simulate.js';

interface Args {
  seed: number;
  cases: number;
  out: string;
  jobs: number;
  only?: string;
  determinism: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    seed: 1,
    cases: 320,
    out: join(__dirname, 'results.md'),
    jobs: Math.min(2, cpus().length),
    determinism: 8,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const int = (name: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0)
        throw new Error(`bench:diagnosis: ${name} must be a whole number, got ${v}`);
      i++;
      return n;
    };
    if (k === '--seed') a.seed = int('--seed');
    else if (k === '--cases') a.cases = int('--cases');
    else if (k === '--jobs') a.jobs = Math.max(1, int('--jobs'));
    else if (k === '--determinism') a.determinism = int('--determinism');
    else if (k === '--out' && v) {
      a.out = v;
      i++;
    } else if (k === '--only' && v) {
      a.only = v;
      i++;
    } else
      throw new Error(
        `bench:diagnosis: unknown or incomplete argument '${k}' (known: --seed, --cases, --out, --jobs, --only, --determinism)`,
      );
  }
  return a;
}

/** Runs cases on `jobs` worker threads (1: in this thread), reporting progress. */
async function runAll(
  specs: CaseSpec[],
  jobs: number,
  progress: (o: CaseOutcome) => void,
): Promise<CaseOutcome[]> {
  if (jobs <= 1) {
    const out: CaseOutcome[] = [];
    for (const s of specs) {
      const o = scoreCase(await runCase(s));
      progress(o);
      out.push(o);
    }
    return out;
  }
  const shares: CaseSpec[][] = Array.from({ length: jobs }, () => []);
  for (let i = 0; i < specs.length; i++) shares[i % jobs]!.push(specs[i]!);
  const results = new Map<string, CaseOutcome>();
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((resolve, reject) => {
          // Workers do not inherit tsx's loader: register it before loading the TypeScript worker.
          const boot = `require('tsx/cjs/api').register(); require(${JSON.stringify(join(__dirname, 'worker.ts'))});`;
          const w = new Worker(boot, { eval: true, workerData: { specs: share } });
          w.on('message', (o: CaseOutcome) => {
            results.set(o.spec.id, o);
            progress(o);
          });
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
        }),
    ),
  );
  return specs.map((s) => results.get(s.id)!);
}

/** Whether two runs of the same cases scored identically (rankings and scores, not timings). */
function sameOutcome(a: CaseOutcome, b: CaseOutcome): boolean {
  return (
    JSON.stringify([a.rankings, a.scores, a.detected, a.truth]) ===
    JSON.stringify([b.rankings, b.scores, b.detected, b.truth])
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.only) {
    const spec = caseById(args.seed, args.only);
    if (!spec) throw new Error(`bench:diagnosis: '${args.only}' is not a case of seed ${args.seed}`);
    const run = await runCase(spec);
    const o = scoreCase(run);
    console.log(
      JSON.stringify(
        {
          spec,
          fault: run.fault,
          pipeline: run.pipeline.stages.map((s) => `${s.name}:${s.role}<${s.parents.join(',')}>`),
          jobs: run.pipeline.jobs.map((j) => j.stage.name),
          label: run.pipeline.label.name,
          root: run.pipeline.root.name,
        },
        null,
        1,
      ),
    );
    console.log(JSON.stringify({ incident: run.incident, outcome: { ...o, rankings: o.rankings } }, null, 1));
    return;
  }
  const specs = caseList(args.seed, args.cases);
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  const load0 = loadavg()[0]!;
  let done = 0;
  const outcomes = await runAll(specs, args.jobs, () => {
    done++;
    if (done % 20 === 0 || done === specs.length)
      process.stderr.write(`  ${done}/${specs.length} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  });
  const wallS = (Date.now() - t0) / 1000;
  // Process-wide: the worker threads' CPU time is included.
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const load = `${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`;
  let determinism: string | undefined;
  let again: CaseOutcome[] = [];
  if (args.determinism > 0) {
    again = await runAll(specs.slice(0, args.determinism), 1, () => {});
    const same = again.every((o, i) => sameOutcome(o, outcomes[i]!));
    determinism = `the first ${again.length} cases replayed in another thread gave ${same ? 'identical' : 'DIFFERENT'} rankings and scores.`;
  }
  const command = `npm run bench:diagnosis -- --seed ${args.seed} --cases ${args.cases}`;
  const report = renderReport(outcomes, {
    command,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    seed: args.seed,
    wallS,
    cpuS,
    load,
    jobs: args.jobs,
    ...(determinism ? { determinism } : {}),
    replay: again,
  });
  console.log(report);
  writeFileSync(args.out, report);
  writeFileSync(join(dirname(args.out), 'failures.md'), renderFailures(outcomes, args.seed));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
