/**
 * Shared helpers for collector component tests: a one-span OTLP batch, a host whose
 * telemetry is a real registry, a consumer that keeps what it gets, and a free port.
 * Each test states only the span fields it cares about; the OTLP shape lives here once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Host, LogsConsumer, MetricsConsumer, TracesConsumer } from '../../src/collector/component.js';
import { TelemetryRegistry } from '../../src/collector/service/TelemetryRegistry.js';
import type {
  InstrumentationScope,
  KeyValue,
  LogRecord,
  LogsData,
  MetricsData,
  Span,
  TracesData,
} from '../../src/model/otlp.js';

/** What {@link oneSpanTraces} may change from its plain internal `predict` span. */
export interface OneSpanOptions {
  /** Span fields to set; the rest are a root span at 1–2 ns with nothing attached. */
  span?: Partial<Span>;
  /** Resource attributes; none by default. */
  resource?: KeyValue[];
  /** Instrumentation scope; `s` with no version by default. */
  scope?: InstrumentationScope;
}

/** A root internal `predict` span at 1–2 ns with nothing attached, every OTLP field filled in. */
export function testSpan(fields: Partial<Span> = {}): Span {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceState: '',
    parentSpanId: '',
    flags: 1,
    name: 'predict',
    kind: 1,
    startTimeUnixNano: 1n,
    endTimeUnixNano: 2n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
    ...fields,
  };
}

/** A batch of one resource, one scope and one span, with every OTLP field filled in. */
export function oneSpanTraces(options: OneSpanOptions = {}): TracesData {
  return {
    resourceSpans: [
      {
        resource: { attributes: options.resource ?? [], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [
          {
            scope: options.scope ?? { name: 's', version: '', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            spans: [testSpan(options.span)],
          },
        ],
      },
    ],
  };
}

/** An INFO log record at 1 ns with an empty body and nothing attached, every OTLP field filled in. */
export function testLogRecord(fields: Partial<LogRecord> = {}): LogRecord {
  return {
    timeUnixNano: 1n,
    observedTimeUnixNano: 0n,
    severityNumber: 9,
    severityText: '',
    body: { stringValue: '' },
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: '',
    spanId: '',
    eventName: '',
    ...fields,
  };
}

/** A batch of `records` under one empty resource and one scope named `scope`. */
export function logsOf(records: LogRecord[], scope = 'l'): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: [], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeLogs: [
          {
            scope: { name: scope, version: '', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            logRecords: records,
          },
        ],
      },
    ],
  };
}

/** A host for starting one component alone: its counters land in `telemetry`, fatal errors are ignored. */
export function testHost(telemetry = new TelemetryRegistry()): Host & { telemetry: TelemetryRegistry } {
  return { telemetry, reportFatalError: () => undefined };
}

/** The next stage of a component under test: keeps every batch it is handed, per signal. */
export class RecordingConsumer implements TracesConsumer, LogsConsumer, MetricsConsumer {
  /** Trace batches, in arrival order. */
  readonly traces: TracesData[] = [];
  /** Log batches, in arrival order. */
  readonly logs: LogsData[] = [];
  /** Metric batches, in arrival order. */
  readonly metrics: MetricsData[] = [];
  /** Keeps a trace batch. */
  async consumeTraces(data: TracesData): Promise<void> {
    this.traces.push(data);
  }
  /** Keeps a log batch. */
  async consumeLogs(data: LogsData): Promise<void> {
    this.logs.push(data);
  }
  /** Keeps a metric batch. */
  async consumeMetrics(data: MetricsData): Promise<void> {
    this.metrics.push(data);
  }
}

export { freePort } from '../freePort.js';

/**
 * Starts `mlobs collector --config cfg` as a child process (tsx, from the repository) and waits
 * up to 30 s for its telemetry `/readyz`; the child goes into `children` for the suite's cleanup.
 */
export async function spawnCollectorCli(
  cfg: string,
  telemetryPort: number,
  children: ChildProcess[],
): Promise<{ child: ChildProcess; log: string[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'collector', '--config', cfg],
    {
      cwd: process.cwd(),
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  const log: string[] = [];
  child.stderr?.on('data', (b: Buffer) => log.push(b.toString()));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`collector exited ${child.exitCode}: ${log.join('')}`);
    const ok = await fetch(`http://127.0.0.1:${telemetryPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, log };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`collector not ready after 30 s: ${log.join('')}`);
}
