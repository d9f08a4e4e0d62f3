/**
 * `mlobs/register` — `node --import mlobs/register app.js` (ESM or CommonJS apps) or
 * `node -r mlobs/register app.js` (CommonJS): instruments an app without code changes.
 *
 * It starts the OpenTelemetry `NodeSDK` with mlobs' model-library instrumentations
 * (onnxruntime-node, @tensorflow/tfjs: each inference call becomes an `inference` component run
 * with feature and prediction summaries), so those calls and the app's `component()` spans are
 * exported. Configuration is the standard `OTEL_*` variables, read by the SDK itself
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_EXPORTER`,
 * `OTEL_LOGS_EXPORTER`, `OTEL_METRICS_EXPORTER`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
 * `OTEL_SDK_DISABLED`, ...), plus:
 * - `MLOBS_ANALYSIS=inprocess`: also run the analysis in the process (`MlSpanProcessor`): findings
 *   become `ml.finding` log records and incidents `ml.incident` spans, exported with the rest;
 * - `MLOBS_WINDOW` (with `inprocess`): analysis window, e.g. `30s`, `5m` (default `5m`);
 * - `MLOBS_SAMPLING`: which model calls are recorded (a span with summaries; the others are only
 *   counted, on the next recorded run) — `P%` recording costs at most P% of the model's time
 *   (default `2%`, with a recorded call at least once a second), `1` every call, `1/N` one call
 *   in N, `R/s` about R summarised rows per second per model;
 * - `MLOBS_PRIVACY_KEY`, `MLOBS_PRIVACY_HASH_FEATURES`, `MLOBS_PRIVACY_DROP_FEATURES`,
 *   `MLOBS_PRIVACY_IDS`: what summaries and label-join ids may carry (see `configurePrivacy`);
 *   applied even when `OTEL_SDK_DISABLED=true` or the app has its own provider.
 *
 * The SDK is flushed and shut down on `beforeExit`, `SIGTERM` and `SIGINT` (after which the
 * signal's default action runs, unless the app listens for it too). For ESM apps the
 * import-in-the-middle loader hook is registered, so `import` of a model library is patched too.
 *
 * An app that already registered a tracer provider keeps it: only the instrumentations are
 * registered (`registerInstrumentations`), against the global providers. An app that sets up its
 * own SDK can do the same itself instead of using this entry:
 * `registerInstrumentations({ instrumentations: mlobsInstrumentations() })` from `mlobs/instrumentation`.
 */
import { register as registerLoader } from 'node:module';
import { pathToFileURL } from 'node:url';
import { diag, type ProxyTracerProvider, trace } from '@opentelemetry/api';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ErrorCodes, MlobsError } from './errors.js';
import { mlobsInstrumentations } from './instrumentation/mlobsInstrumentations.js';
import { parseSampling } from './instrumentation/shared/SummarySampler.js';
import { configurePrivacy, privacyFromEnv } from './sdk/privacy.js';

// What may leave the process (MLOBS_PRIVACY_KEY, MLOBS_PRIVACY_HASH_FEATURES, ...): applies to
// recording whether or not this entry starts an SDK.
configurePrivacy(privacyFromEnv(process.env));

/** What this entry set up: the SDK it started (if any) and the instrumentations it enabled. */
export interface MlobsRegistration {
  /** The NodeSDK this entry started; undefined when the app had a provider already. */
  sdk: NodeSDK | undefined;
  /** The instrumentations enabled. */
  instrumentations: Instrumentation[];
}

/** What this entry registered, or undefined when `OTEL_SDK_DISABLED=true` or it failed. */
export const registration: MlobsRegistration | undefined = start();

/** Flushes and shuts down what this entry registered (no-op when it registered nothing). */
export async function shutdown(): Promise<void> {
  await registration?.sdk?.shutdown();
}

function start(): MlobsRegistration | undefined {
  if ((process.env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  try {
    const sampling = process.env.MLOBS_SAMPLING?.trim()
      ? parseSampling(process.env.MLOBS_SAMPLING)
      : undefined;
    registerEsmHook();
    const instrumentations = mlobsInstrumentations(sampling ? { sampling } : {});
    // The global is the API's proxy; it has a delegate once any provider was registered. Checked
    // structurally because the CJS and ESM copies of the API share the global but not classes.
    const proxy = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
    if (typeof proxy.getDelegateTracer !== 'function' || proxy.getDelegateTracer('mlobs') !== undefined) {
      registerInstrumentations({ instrumentations });
      return { sdk: undefined, instrumentations };
    }
    const sdk = startSdk(instrumentations);
    flushOnExit(sdk);
    return { sdk, instrumentations };
  } catch (err) {
    // Telemetry setup must never stop the app from starting.
    const code = err instanceof MlobsError ? ` (${err.code})` : '';
    const text = `mlobs/register: not started${code}: ${err instanceof Error ? err.message : String(err)}`;
    diag.error(text);
    console.error(text);
    return undefined;
  }
}

function startSdk(instrumentations: Instrumentation[]): NodeSDK {
  // Loaded here, not at the top, so `OTEL_SDK_DISABLED=true` never loads the SDK.
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const analysis = (process.env.MLOBS_ANALYSIS ?? '').trim().toLowerCase();
  if (analysis !== '' && analysis !== 'inprocess') {
    throw envError(`MLOBS_ANALYSIS: expected 'inprocess' or nothing, got '${process.env.MLOBS_ANALYSIS}'`);
  }
  // Without in-process analysis the SDK builds its span processors from OTEL_TRACES_EXPORTER.
  const spanProcessors =
    analysis === 'inprocess' ? [...exportingProcessors(), analysisProcessor()] : undefined;
  const sdk = new NodeSDK({ instrumentations, ...(spanProcessors ? { spanProcessors } : {}) });
  sdk.start();
  return sdk;
}

/** The span exporters `OTEL_TRACES_EXPORTER` names (default `otlp`), over `OTEL_EXPORTER_OTLP_*PROTOCOL`. */
function exportingProcessors(): SpanProcessor[] {
  const { BatchSpanProcessor, ConsoleSpanExporter } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const names = (process.env.OTEL_TRACES_EXPORTER ?? 'otlp')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.includes('none')) return [];
  const out: SpanProcessor[] = [];
  for (const name of names.length > 0 ? names : ['otlp']) {
    if (name === 'console') out.push(new BatchSpanProcessor(new ConsoleSpanExporter()));
    else if (name === 'otlp') out.push(new BatchSpanProcessor(otlpTraceExporter()));
    else throw envError(`OTEL_TRACES_EXPORTER: '${name}' is not one of otlp, console, none`);
  }
  return out;
}

function otlpTraceExporter(): import('@opentelemetry/sdk-trace-base').SpanExporter {
  const protocol = (
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL ??
    'http/protobuf'
  ).trim();
  if (protocol === 'grpc') {
    const m =
      require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
    return new m.OTLPTraceExporter();
  }
  if (protocol === 'http/json') {
    const m =
      require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    return new m.OTLPTraceExporter();
  }
  if (protocol !== 'http/protobuf') {
    throw envError(`OTEL_EXPORTER_OTLP_PROTOCOL: '${protocol}' is not one of grpc, http/protobuf, http/json`);
  }
  const m =
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  return new m.OTLPTraceExporter();
}

function analysisProcessor(): SpanProcessor {
  const { MlSpanProcessor } = require('./stream/index.js') as typeof import('./stream/index.js');
  const { logs } = require('@opentelemetry/api-logs') as typeof import('@opentelemetry/api-logs');
  let lengthMs = 5 * 60_000;
  const window = process.env.MLOBS_WINDOW?.trim();
  if (window) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(window);
    const ms = m
      ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h']
      : 0;
    if (!(ms >= 1)) throw envError(`MLOBS_WINDOW: expected a duration such as 30s or 5m, got '${window}'`);
    lengthMs = ms;
  }
  return new MlSpanProcessor({
    window: { lengthMs, allowedLatenessMs: Math.min(30_000, lengthMs) },
    // Resolved at first use: the SDK registers the global logger provider after this is built.
    logger: () => logs.getLogger('mlobs'),
  }) as unknown as SpanProcessor;
}

/** ESM apps: import-in-the-middle's loader hook, so `import` of a patched module is seen. */
function registerEsmHook(): void {
  if (typeof registerLoader !== 'function') return;
  registerLoader('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename));
}

function envError(message: string): MlobsError {
  return new MlobsError(ErrorCodes.MLOBS_ERR_ENV_INVALID, message);
}

function flushOnExit(sdk: NodeSDK): void {
  let done: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    done ??= sdk
      .shutdown()
      .catch((err: unknown) => diag.error(`mlobs/register: shutdown failed: ${String(err)}`));
    return done;
  };
  process.once('beforeExit', () => void stop());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = (): void => {
      void stop().then(() => {
        // With no other listener, the signal's default action (exit) is what the app expects.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.once(signal, onSignal);
  }
}
