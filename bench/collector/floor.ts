/**
 * The floor under the collector bench: what moving the same OTLP/HTTP requests through Node's
 * HTTP stack costs here with no OTLP work at all. A bare forwarder receives each request from
 * the load generator and POSTs the same bytes to the sink (both in the bench's other process,
 * as in `run.ts`), either streamed through (`pipe`: the least any HTTP proxy can do) or held
 * whole in memory first (`buffer`: what a decoder needs, since protobuf is read from a whole
 * message). Reports spans per forwarder CPU-second, comparable with `run.ts`'s column.
 * Run: `npx tsx bench/collector/floor.ts [--seconds N] [--only summary|plain]`.
 */
import { fork } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const at = process.argv.indexOf('--seconds');
const SECONDS = at > 0 ? Number(process.argv[at + 1]) : 6;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

type Mode = 'pipe' | 'buffer';

/** A bare HTTP forwarder to the sink: streamed through (`pipe`) or held whole first (`buffer`). */
export function forwarder(mode: Mode, sinkPort: number, agent: http.Agent): http.Server {
  return http.createServer((req, res) => {
    const send = (length: number) =>
      http.request(
        {
          host: '127.0.0.1',
          port: sinkPort,
          path: '/v1/traces',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-protobuf', 'content-length': length },
        },
        (r) => {
          r.resume();
          r.on('end', () => {
            res.writeHead(r.statusCode ?? 502, { 'content-type': 'application/x-protobuf' });
            res.end();
          });
        },
      );
    if (mode === 'pipe') {
      req.pipe(send(Number(req.headers['content-length'])));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      send(body.length).end(body);
    });
  });
}

interface LoadResult {
  sunk: number;
  failed: number;
  totalSeconds: number;
}

async function main(): Promise<void> {
  const driver = fork(join(process.cwd(), 'bench/collector/driver.ts'), [], {
    execArgv: ['--import', 'tsx'],
  });
  const sinkPort = await new Promise<number>((r) =>
    driver.once('message', (m: { port: number }) => r(m.port)),
  );
  const rows = [];
  for (const withSummary of [false, true]) {
    if (only !== undefined && (only === 'summary') !== withSummary) continue;
    for (const mode of ['pipe', 'buffer'] as const) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 11 });
      const server = forwarder(mode, sinkPort, agent);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const cpu0 = process.cpuUsage();
      const r = await new Promise<LoadResult>((resolve, reject) => {
        driver.once('message', (m: { type: string; message?: string } & LoadResult) =>
          m.type === 'result' ? resolve(m) : reject(new Error(m.message)),
        );
        driver.send({
          type: 'load',
          port: (server.address() as AddressInfo).port,
          seconds: SECONDS,
          concurrency: 8,
          requests: 16,
          spans: 512,
          withSummary,
        });
      });
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      await new Promise<void>((done) => server.close(() => done()));
      agent.destroy();
      rows.push({
        spans: withSummary ? 'ML + 20-feature summary' : 'ML, no summary event',
        forwarder: mode,
        'spans/s delivered': Math.round(r.sunk / r.totalSeconds),
        'spans per forwarder CPU-s': Math.round(r.sunk / cpuSeconds),
        'µs CPU per span': Number(((cpuSeconds / Math.max(1, r.sunk)) * 1e6).toFixed(1)),
        'kernel share of CPU': `${Math.round((cpu.system / 1e6 / cpuSeconds) * 100)}%`,
        'failed requests': r.failed,
      });
    }
  }
  driver.disconnect();
  console.log(
    `\nfloor: a bare HTTP forwarder, no OTLP work (512 spans/request, 8 clients, ${SECONDS}s per case, node ${process.version})\n`,
  );
  console.table(rows);
}

// Run on its own, not when run.ts's collector process borrows `forwarder`.
if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
