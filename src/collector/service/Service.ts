/**
 * Runs a validated config: builds the graph, starts downstream first (exporters, then
 * processors, then receivers) so nothing produces into a stage that is not ready, and
 * stops upstream first so in-flight data drains into exporters that are still up.
 * Shutdown runs once, is safe without start, and is bounded by `service.shutdown_timeout`.
 */
import { ErrorCodes, MlobsError } from '../../errors.js';
import { AnalysisRegistry, type Host } from '../component.js';
import type { CollectorConfig, ComponentRegistry } from '../config/types.js';
import type { Endpoint } from '../config/values.js';
import type { ExtensionFactory } from '../factory.js';
import { AdmissionController } from './AdmissionController.js';
import { type BuiltComponent, buildGraph } from './buildGraph.js';
import { TelemetryRegistry, watchBufferPools } from './TelemetryRegistry.js';
import { TelemetryServer } from './TelemetryServer.js';

/** Options for a {@link Service}; everything has a default suitable for the CLI. */
export interface ServiceOptions {
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
  /** Called when a component reports a fatal error after start (default: log and shut down). */
  onFatalError?: (err: Error) => void;
}

/** The collector service: one config, one lifecycle. */
export class Service {
  /** Self-telemetry counters; the same object components get as `host.telemetry`. */
  readonly telemetry = new TelemetryRegistry();
  /** The `ml` processors' analyses, for extensions; the same object components get as `host.analyses`. */
  readonly analyses = new AnalysisRegistry();
  private readonly server = new TelemetryServer(this.telemetry);
  private readonly log: (line: string) => void;
  private readonly onFatalError: (err: Error) => void;
  private started: BuiltComponent[] = [];
  private startPromise: Promise<Endpoint> | undefined;
  private shutdownPromise: Promise<void> | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly config: CollectorConfig,
    private readonly registry: ComponentRegistry,
    options: ServiceOptions = {},
  ) {
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.onFatalError =
      options.onFatalError ??
      ((err) => {
        this.log(`mlobs: fatal component error, shutting down: ${err.message}`);
        this.shutdown().catch(() => undefined);
      });
    this.telemetry.gauge(
      'mlobs_process_uptime_seconds',
      'Seconds since the collector service was created.',
      () => Math.round((Date.now() - this.startedAt) / 1000),
    );
    this.telemetry.gauge(
      'mlobs_process_memory_rss_bytes',
      'Resident set size of the collector process.',
      () => process.memoryUsage.rss(),
    );
    watchBufferPools(this.telemetry);
  }

  /** Starts telemetry and every component; resolves with the telemetry endpoint actually bound. */
  start(): Promise<Endpoint> {
    if (this.shutdownPromise) {
      return Promise.reject(
        new MlobsError(ErrorCodes.MLOBS_ERR_SERVICE_STATE, 'the collector was already shut down'),
      );
    }
    this.startPromise ??= this.doStart();
    return this.startPromise;
  }

  /** Stops receivers, processors, exporters, then telemetry; the same promise on every call. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doStart(): Promise<Endpoint> {
    const { endpoint, bearerToken } = this.config.service.telemetry;
    const bound = await this.server.start(endpoint, bearerToken);
    this.log(
      `mlobs: telemetry on http://${formatHost(bound.host)}:${bound.port} (/metrics /healthz /readyz)`,
    );
    let graph: ReturnType<typeof buildGraph>;
    let extensions: Map<string, BuiltComponent>;
    try {
      extensions = this.buildExtensions();
      graph = buildGraph(this.config, this.registry);
    } catch (err) {
      // A factory that throws must not leave the telemetry port open.
      this.shutdownPromise ??= this.stopAll();
      await this.shutdownPromise.catch(() => undefined);
      throw err;
    }
    const { requestLimitBytes, waitingLimitBytes } = this.config.service.admission;
    const admission = new AdmissionController(requestLimitBytes, waitingLimitBytes);
    this.telemetry.gauge(
      'mlobs_receiver_admission_in_flight_bytes',
      'Request bytes being read or decoded now, across every receiver.',
      () => admission.bytesInFlight,
    );
    this.telemetry.gauge(
      'mlobs_receiver_admission_waiting_bytes',
      'Request bytes waiting for admission, across every receiver.',
      () => admission.bytesWaiting,
    );
    const host: Host = {
      telemetry: this.telemetry,
      reportFatalError: (err) => this.onFatalError(err),
      analyses: this.analyses,
      admission,
      getExtension: (id) => extensions.get(id)?.component,
      warn: (line) => this.log(`mlobs: warning: ${line}`),
    };
    // Extensions first, so they stop last, as the OpenTelemetry Collector does: exporters keep
    // their queues in a storage extension, and the web page reads the analyses until the end.
    for (const built of [
      ...extensions.values(),
      ...graph.exporters,
      ...graph.processors,
      ...graph.receivers,
    ]) {
      if (this.shutdownPromise) break;
      try {
        await built.component.start(host);
      } catch (err) {
        this.log(`mlobs: ${built.kind}::${built.label} failed to start: ${(err as Error).message}`);
        // A half-started component may hold sockets or files; shutdown is safe without start.
        this.started.push(built);
        // Not shutdown(): that waits for this start to settle. Stop what did start, once.
        this.shutdownPromise ??= this.stopAll();
        await this.shutdownPromise.catch(() => undefined);
        throw new MlobsError(
          ErrorCodes.MLOBS_ERR_COMPONENT_START,
          `${built.kind}::${built.label}: failed to start: ${(err as Error).message}${err instanceof MlobsError ? ` [${err.code}]` : ''}`,
          { cause: err },
        );
      }
      this.started.push(built);
    }
    if (this.shutdownPromise) {
      throw new MlobsError(ErrorCodes.MLOBS_ERR_SERVICE_STATE, 'the collector was shut down while starting');
    }
    this.server.setReady(true);
    this.log(`mlobs: collector ready (${this.config.service.pipelines.map((p) => p.id).join(', ')})`);
    return bound;
  }

  /** The extensions listed in `service::extensions`, by id, in that order. */
  private buildExtensions(): Map<string, BuiltComponent> {
    const out = new Map<string, BuiltComponent>();
    for (const id of this.config.service.extensions) {
      const entry = this.config.extensions[id];
      // Invariant, not a user error: validateConfig refuses an unconfigured id in service::extensions.
      if (!entry) throw new Error(`extension ${id} missing from a validated config`);
      const factory = this.registry.extensions.get(entry.type) as ExtensionFactory<unknown>;
      out.set(id, {
        kind: 'extensions',
        label: id,
        component: factory.createExtension({ id }, entry.config),
      });
    }
    return out;
  }

  private async doShutdown(): Promise<void> {
    this.server.setReady(false);
    // Let a start in progress reach a stable point so every started component is stopped.
    if (this.startPromise) await this.startPromise.catch(() => undefined);
    await this.stopAll();
  }

  private async stopAll(): Promise<void> {
    this.server.setReady(false);
    const timeoutMs = this.config.service.shutdownTimeoutMs;
    let stopping = '';
    let timer: NodeJS.Timeout | undefined;
    const sequence = (async () => {
      for (const built of [...this.started].reverse()) {
        stopping = `${built.kind}::${built.label}`;
        try {
          await built.component.shutdown();
        } catch (err) {
          this.log(`mlobs: ${stopping} failed to shut down cleanly: ${(err as Error).message}`);
        }
      }
      stopping = '';
    })();
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([sequence.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    this.started = [];
    await this.server.close();
    if (outcome === 'timeout') {
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_SHUTDOWN_TIMEOUT,
        `shutdown did not finish within ${timeoutMs} ms (still stopping ${stopping}); in-flight data may be lost`,
      );
    }
    this.log('mlobs: collector stopped');
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
