/**
 * Config of the `mlobs_ui` extension, the collector's web page and JSON API, in the style of
 * the OpenTelemetry Collector's `zpages` and `health_check`: an `endpoint` (loopback by
 * default), optional `auth.bearer_token`, which `ml` processor to show (`processor`, default
 * the only or first one) and `trace_url`, a link template for exemplar traces.
 */
import { parseEndpoint, show } from '../../config/values.js';
import type { ConfigProblem } from '../../factory.js';

/** The `extensions::mlobs_ui` config as written in YAML. */
export interface MlobsUiConfig {
  /** `host:port` to serve on; 127.0.0.1 keeps it off the network. */
  endpoint: string;
  /** `bearer_token`: when set, every request must carry it (header, cookie or `?token=`). */
  auth: { bearer_token: string | null };
  /** The `ml` processor id whose analysis is shown; null: the only (or first) one. */
  processor: string | null;
  /** Link for an exemplar trace id, e.g. `http://localhost:16686/trace/{trace_id}`; null: no links. */
  trace_url: string | null;
}

/** Defaults: loopback port 55679 (zpages' port), no token, no trace links. */
export function createDefaultMlobsUiConfig(): MlobsUiConfig {
  return { endpoint: '127.0.0.1:55679', auth: { bearer_token: null }, processor: null, trace_url: null };
}

/** Every problem with an `mlobs_ui` config. */
export function validateMlobsUiConfig(config: MlobsUiConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const endpoint = parseEndpoint(config.endpoint);
  if (endpoint.error !== undefined) problems.push({ path: 'endpoint', message: endpoint.error });
  const token: unknown = config.auth.bearer_token;
  if (token !== null && (typeof token !== 'string' || token.length < 8 || /\s/.test(token)))
    problems.push({
      path: 'auth::bearer_token',
      message: `must be a string of at least 8 characters without spaces, got ${typeof token === 'string' ? `${token.length} characters` : show(token)}`,
    });
  const processor: unknown = config.processor;
  if (processor !== null && (typeof processor !== 'string' || !/^ml(\/\S+)?$/.test(processor)))
    problems.push({
      path: 'processor',
      message: `must be an ml processor id (ml or ml/name), got ${show(processor)}`,
    });
  const url: unknown = config.trace_url;
  if (url !== null) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !url.includes('{trace_id}'))
      problems.push({
        path: 'trace_url',
        message: `must be an http(s) URL containing {trace_id}, e.g. "http://localhost:16686/trace/{trace_id}", got ${show(url)}`,
      });
  }
  return problems;
}
