/**
 * The default collector config, used by `mlobs collector` when no `--config` is given.
 * It is the same as `collector-config/mlobs.yaml` (a test checks they agree), embedded so
 * the installed command works from any directory. It listens on 127.0.0.1 only, runs the
 * `ml` analysis on every signal, keeps its state in `./.mlobs/state.db` and serves the web page
 * on http://127.0.0.1:55679/.
 */

/** A fresh copy of the default config tree (as YAML would parse it, before validation). */
export function defaultConfig(): Record<string, unknown> {
  return {
    receivers: {
      otlp: {
        protocols: {
          http: { endpoint: '127.0.0.1:4318' },
          grpc: { endpoint: '127.0.0.1:4317' },
        },
      },
    },
    processors: {
      ml: { window: '5m', reference: { warmup_windows: 5 }, storage: { path: './.mlobs/state.db' } },
      batch: { send_batch_size: 8192, timeout: '200ms' },
    },
    exporters: {
      debug: { verbosity: 'basic' },
      file: { path: './.mlobs/spans.jsonl', rotation: { max_megabytes: 100, max_backups: 5 } },
      'file/logs': { path: './.mlobs/logs.jsonl', rotation: { max_megabytes: 100, max_backups: 5 } },
    },
    extensions: {
      mlobs_ui: { endpoint: '127.0.0.1:55679' },
    },
    service: {
      extensions: ['mlobs_ui'],
      telemetry: { endpoint: '127.0.0.1:8888' },
      shutdown_timeout: '10s',
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['ml', 'batch'], exporters: ['debug', 'file'] },
        logs: { receivers: ['otlp'], processors: ['ml', 'batch'], exporters: ['debug', 'file/logs'] },
        metrics: { receivers: ['otlp'], processors: ['ml', 'batch'], exporters: ['debug'] },
      },
    },
  };
}
