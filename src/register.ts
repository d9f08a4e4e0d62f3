/**
 * `mlobs/register` — `node --import mlobs/register app.js` (ESM) or `node -r mlobs/register app.js`
 * (CommonJS): gives an app that has no tracing set up a minimal one, so its `component()` spans
 * and summaries are exported without code changes.
 *
 * What it does, and nothing else:
 * - if `OTEL_SDK_DISABLED=true`, or a global tracer provider is already registered, nothing;
 * - otherwise it registers a `NodeTracerProvider` (with its default AsyncLocalStorage context
 *   manager and W3C propagators) whose `BatchSpanProcessor` sends spans to an OTLP/HTTP exporter.
 *   The exporter reads the standard variables itself (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 *   `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, ...; default
 *   `http://localhost:4318/v1/traces`), the resource reads `OTEL_SERVICE_NAME` and
 *   `OTEL_RESOURCE_ATTRIBUTES`;
 * - it applies the privacy settings of `MLOBS_PRIVACY_KEY`, `MLOBS_PRIVACY_HASH_FEATURES`,
 *   `MLOBS_PRIVACY_DROP_FEATURES` and `MLOBS_PRIVACY_IDS` (see `configurePrivacy`);
 * - it flushes and shuts the provider down on `beforeExit`. Spans still buffered when the app
 *   calls `process.exit()` or is killed by a signal are lost; call `shutdown()` first.
 *
 * It needs `@opentelemetry/sdk-trace-node` and `@opentelemetry/exporter-trace-otlp-http` installed
 * next to mlobs (optional peer dependencies: an app that only records does not pay for them). An app that sets up its own SDK (NodeSDK or
 * a provider) should not use this entry: register that SDK before any span is made instead.
 */
import { type ProxyTracerProvider, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { configurePrivacy, privacyFromEnv } from './sdk/privacy.js';

// What may leave the process (MLOBS_PRIVACY_KEY, MLOBS_PRIVACY_HASH_FEATURES, ...): applies to
// recording whether or not this entry registers a provider.
configurePrivacy(privacyFromEnv(process.env));

/** The provider this entry registered, or undefined when it left the app's setup alone. */
export const mlobsTracerProvider: NodeTracerProvider | undefined = registerIfAbsent();

/** Flushes and shuts down the provider this entry registered (no-op when it registered none). */
export async function shutdown(): Promise<void> {
  await mlobsTracerProvider?.shutdown();
}

function registerIfAbsent(): NodeTracerProvider | undefined {
  if ((process.env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  // The global is the API's proxy; it has a delegate once any provider was registered. Checked
  // structurally because the CJS and ESM copies of the API share the global but not classes.
  const proxy = trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  if (typeof proxy.getDelegateTracer !== 'function' || proxy.getDelegateTracer('mlobs') !== undefined)
    return undefined;
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(detectResources({ detectors: [envDetector] })),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  process.once('beforeExit', () => {
    void provider.shutdown();
  });
  return provider;
}
