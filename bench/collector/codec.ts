/**
 * Codec-only throughput, in CPU time (less sensitive to a busy machine than wall time):
 * decode and encode of ExportTraceServiceRequest bodies of ML spans with and without the
 * 20-feature summary event. Run: `npx tsx bench/collector/codec.ts [--rounds N]`.
 */
import { decodeTracesProto, encodeTracesProto } from '../../src/collector/otlp/traceProto.js';
import { buildRequests } from './workload.js';

const SPANS = 512;
const at = process.argv.indexOf('--rounds');
// More rounds let the JIT settle (the default of 12 keeps numbers comparable with earlier runs).
const ROUNDS = at > 0 ? Number(process.argv[at + 1]) : 12;

function cpuMsPer(run: () => void, rounds: number): number {
  for (let i = 0; i < 3; i++) run();
  const c0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) run();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / rounds;
}

const rows = [];
for (const withSummary of [false, true]) {
  const { bodies } = buildRequests(4, SPANS, withSummary);
  const decoded = bodies.map((b) => decodeTracesProto(b));
  let i = 0;
  const decodeMs = cpuMsPer(() => decodeTracesProto(bodies[i++ % bodies.length]), ROUNDS);
  const encodeMs = cpuMsPer(() => encodeTracesProto(decoded[i++ % decoded.length]), ROUNDS);
  rows.push({
    spans: withSummary ? 'ML + 20-feature summary' : 'ML, no summary event',
    'bytes/span': Math.round(bodies[0].length / SPANS),
    'decode ms/request': Number(decodeMs.toFixed(1)),
    'decode spans/CPU-s': Math.round((SPANS / decodeMs) * 1000),
    'encode ms/request': Number(encodeMs.toFixed(1)),
    'encode spans/CPU-s': Math.round((SPANS / encodeMs) * 1000),
  });
}
console.log(`\nOTLP trace codec, ${SPANS} spans/request, CPU time per request (node ${process.version})\n`);
console.table(rows);
