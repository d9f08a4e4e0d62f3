/** A tracer with an in-memory exporter and a diag logger that collects warnings, for SDK tests. */
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { sdkDrops } from '../../src/sdk/DropCounter.js';
import type { SpanLike } from '../../src/sdk/types.js';

/** Sends every `diag.warn` message into `warnings` (and nothing else) until `diag.disable()`. */
export function captureDiagWarnings(warnings: string[]): void {
  const logger: DiagLogger = {
    error() {},
    warn: (m: string) => warnings.push(m),
    info() {},
    debug() {},
    verbose() {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

/** Starts spans, ends them and returns what the exporter saw. */
export class SpanHarness {
  readonly exporter = new InMemorySpanExporter();
  readonly warnings: string[] = [];
  private readonly tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(this.exporter)],
  }).getTracer('harness');

  /** Resets drop counts and captures `diag.warn`. */
  install(): void {
    sdkDrops.reset();
    this.warnings.length = 0;
    this.exporter.reset();
    captureDiagWarnings(this.warnings);
  }

  /** Stops capturing. */
  uninstall(): void {
    diag.disable();
  }

  /** Runs `fn` with a fresh span and returns the finished span. */
  record(fn: (span: SpanLike) => void): ReadableSpan {
    const span = this.tracer.startSpan('run');
    fn(span as unknown as SpanLike);
    span.end();
    const spans = this.exporter.getFinishedSpans();
    return spans[spans.length - 1];
  }
}

/** Events of `span` in the shape `decodeSummaryEvents` takes. */
export function eventsNamed(
  span: ReadableSpan,
  name: string,
): { name: string; attributes: Record<string, unknown> }[] {
  return span.events
    .filter((e) => e.name === name)
    .map((e) => ({ name: e.name, attributes: e.attributes ?? {} }));
}
