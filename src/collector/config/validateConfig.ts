/**
 * Turns an expanded YAML tree into a {@link CollectorConfig}, collecting every problem
 * with its path instead of stopping at the first, so one `mlobs validate` run shows a
 * user everything to fix. Nothing is built or started here.
 */
import type { Signal } from '../component.js';
import type { ConfigProblem, FactoryBase } from '../factory.js';
import { decodeOver, deepFreeze, isMap } from './decode.js';
import type {
  CollectorConfig,
  ComponentConfig,
  ComponentKind,
  ComponentRegistry,
  PipelineConfig,
  SectionKind,
} from './types.js';
import { parseDuration, parseEndpoint, show } from './values.js';

/** The outcome of validation: a frozen config when there are no problems. */
export type ValidationResult =
  | { config: CollectorConfig; problems: [] }
  | { config: undefined; problems: ConfigProblem[] };

const KINDS: readonly ComponentKind[] = ['receivers', 'processors', 'exporters'];
const SIGNALS: readonly Signal[] = ['traces', 'logs', 'metrics'];
const SINGULAR: Record<SectionKind, string> = {
  receivers: 'receiver',
  processors: 'processor',
  exporters: 'exporter',
  extensions: 'extension',
};
const ID = /^([A-Za-z][A-Za-z0-9_]*)(?:\/(\S+))?$/;

/** Default `service` settings; every allowed key appears here. */
export function defaultServiceSettings(): Record<string, unknown> {
  return {
    extensions: [],
    pipelines: {},
    telemetry: { endpoint: '127.0.0.1:8888', auth: null },
    shutdown_timeout: '10s',
    admission: { request_limit_mib: 128, waiting_limit_mib: 128 },
  };
}

/** Validates a whole config against the registry of factories. */
export function validateConfig(tree: unknown, registry: ComponentRegistry): ValidationResult {
  const problems: ConfigProblem[] = [];
  if (!isMap(tree)) {
    return {
      config: undefined,
      // Not `show(tree)`: a file that is not YAML config (a key passed by mistake) must not be printed.
      problems: [{ path: '(top level)', message: `must be a map of sections, got ${describe(tree)}` }],
    };
  }
  for (const key of Object.keys(tree)) {
    if (!KINDS.includes(key as ComponentKind) && key !== 'service' && key !== 'extensions') {
      problems.push({
        path: key,
        message: `unknown section (allowed: receivers, processors, exporters, extensions, service)`,
      });
    }
  }
  const sections = {} as Record<ComponentKind, Record<string, ComponentConfig>>;
  const broken = new Set<string>();
  for (const kind of KINDS) sections[kind] = validateSection(kind, tree[kind], registry, problems, broken);
  const extensions = validateSection('extensions', tree.extensions, registry, problems, broken);
  const service = validateService(tree.service, sections, extensions, registry, problems, broken);
  if (problems.length > 0 || service === undefined) return { config: undefined, problems };
  const config: CollectorConfig = deepFreeze({ ...sections, extensions, service });
  validated.add(config);
  return { config, problems: [] };
}

/** Configs produced by {@link validateConfig}, so callers can skip validating twice. */
const validated = new WeakSet<object>();

/** True when `value` came out of {@link validateConfig} (and is therefore frozen and complete). */
export function isValidatedConfig(value: unknown): value is CollectorConfig {
  return typeof value === 'object' && value !== null && validated.has(value);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? 'text' : typeof v;
}

function validateSection(
  kind: SectionKind,
  section: unknown,
  registry: ComponentRegistry,
  problems: ConfigProblem[],
  broken: Set<string>,
): Record<string, ComponentConfig> {
  const out: Record<string, ComponentConfig> = {};
  if (section === undefined || section === null) return out;
  if (!isMap(section)) {
    problems.push({
      path: kind,
      message: `must be a map of component ids to settings, got ${show(section)}`,
    });
    return out;
  }
  for (const [id, user] of Object.entries(section)) {
    const path = `${kind}::${id}`;
    const m = ID.exec(id);
    if (!m) {
      problems.push({ path, message: `"${id}" is not a component id; write type or type/name` });
      broken.add(path);
      continue;
    }
    const type = m[1] as string;
    const factory = registry[kind].get(type) as
      | Pick<FactoryBase<unknown>, 'createDefaultConfig' | 'validate'>
      | undefined;
    if (!factory) {
      const known = [...registry[kind].keys()].join(', ') || 'none';
      problems.push({ path, message: `unknown ${SINGULAR[kind]} type "${type}" (known: ${known})` });
      broken.add(path);
      continue;
    }
    const decoded = decodeOver(factory.createDefaultConfig(), user, path);
    problems.push(...decoded.problems);
    // Decoding keeps defaults where the user's value had the wrong shape, so validate is safe to run.
    for (const p of factory.validate(decoded.value)) {
      problems.push({ path: p.path ? `${path}::${p.path}` : path, message: p.message });
    }
    out[id] = { id, type, config: decoded.value };
  }
  return out;
}

function validateService(
  user: unknown,
  sections: Record<ComponentKind, Record<string, ComponentConfig>>,
  extensions: Record<string, ComponentConfig>,
  registry: ComponentRegistry,
  problems: ConfigProblem[],
  broken: ReadonlySet<string>,
): CollectorConfig['service'] | undefined {
  if (user === undefined || user === null) {
    problems.push({ path: 'service', message: 'missing; a config needs service::pipelines' });
    return undefined;
  }
  const decoded = decodeOver(defaultServiceSettings(), user, 'service');
  problems.push(...decoded.problems);
  const settings = decoded.value as {
    extensions: unknown;
    pipelines: unknown;
    telemetry: { endpoint: unknown; auth: unknown };
    shutdown_timeout: unknown;
    admission: { request_limit_mib: unknown; waiting_limit_mib: unknown };
  };
  const admission = { requestLimitBytes: 0, waitingLimitBytes: 0 };
  for (const [key, out, min] of [
    ['request_limit_mib', 'requestLimitBytes', 1],
    ['waiting_limit_mib', 'waitingLimitBytes', 0],
  ] as const) {
    const v = settings.admission[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
      problems.push({
        path: `service::admission::${key}`,
        message: `must be a number of MiB >= ${min}, got ${show(v)}`,
      });
    else admission[out] = v * 1024 * 1024;
  }
  const endpoint = parseEndpoint(settings.telemetry.endpoint);
  if (endpoint.error !== undefined)
    problems.push({ path: 'service::telemetry::endpoint', message: endpoint.error });
  const timeout = parseDuration(settings.shutdown_timeout);
  if (timeout.error !== undefined)
    problems.push({ path: 'service::shutdown_timeout', message: timeout.error });
  else if (timeout.value <= 0) problems.push({ path: 'service::shutdown_timeout', message: 'must be > 0' });
  let bearerToken: string | undefined;
  const auth = settings.telemetry.auth as Record<string, unknown> | null;
  if (auth !== null) {
    if (!isMap(auth) || typeof auth.bearer_token !== 'string' || auth.bearer_token === '')
      problems.push({ path: 'service::telemetry::auth::bearer_token', message: 'must be a non-empty token' });
    else bearerToken = auth.bearer_token;
    for (const key of isMap(auth) ? Object.keys(auth) : [])
      if (key !== 'bearer_token')
        problems.push({
          path: `service::telemetry::auth::${key}`,
          message: `unknown key "${key}" (allowed: bearer_token)`,
        });
  }

  const enabled = validateExtensionList(settings.extensions, extensions, broken, problems);
  checkStorageRefs(sections.exporters, enabled, problems);
  const pipelines: PipelineConfig[] = [];
  if (!isMap(settings.pipelines) || Object.keys(settings.pipelines).length === 0) {
    problems.push({ path: 'service::pipelines', message: 'at least one pipeline is required' });
  } else {
    for (const [id, body] of Object.entries(settings.pipelines)) {
      const p = validatePipeline(id, body, sections, registry, problems, broken);
      if (p) pipelines.push(p);
    }
  }
  if (endpoint.value === undefined || timeout.value === undefined) return undefined;
  return {
    pipelines,
    extensions: enabled,
    telemetry: { endpoint: endpoint.value, ...(bearerToken === undefined ? {} : { bearerToken }) },
    shutdownTimeoutMs: timeout.value,
    admission,
  };
}

/** `service::extensions`: ids configured under `extensions`, each at most once. */
function validateExtensionList(
  list: unknown,
  extensions: Record<string, ComponentConfig>,
  broken: ReadonlySet<string>,
  problems: ConfigProblem[],
): string[] {
  const out: string[] = [];
  if (!Array.isArray(list)) {
    problems.push({
      path: 'service::extensions',
      message: `must be a list of extension ids, got ${show(list)}`,
    });
    return out;
  }
  list.forEach((ref, i) => {
    const path = `service::extensions::${i}`;
    if (typeof ref !== 'string')
      problems.push({ path, message: `must be an extension id, got ${show(ref)}` });
    else if (out.includes(ref)) problems.push({ path, message: `extension "${ref}" is listed twice` });
    else if (extensions[ref] === undefined) {
      if (!broken.has(`extensions::${ref}`))
        problems.push({ path, message: `extension "${ref}" is not configured under extensions` });
    } else out.push(ref);
  });
  return out;
}

/** An exporter's `sending_queue::storage` must name an extension enabled in `service::extensions`, as the Collector requires. */
function checkStorageRefs(
  exporters: Record<string, ComponentConfig>,
  enabled: readonly string[],
  problems: ConfigProblem[],
): void {
  for (const [id, entry] of Object.entries(exporters)) {
    const storage = (entry.config as { sending_queue?: { storage?: unknown } }).sending_queue?.storage;
    if (storage === null || storage === undefined) continue;
    const path = `exporters::${id}::sending_queue::storage`;
    if (typeof storage !== 'string' || storage === '')
      problems.push({ path, message: `must be the id of a storage extension, got ${show(storage)}` });
    else if (!enabled.includes(storage))
      problems.push({
        path,
        message: `"${storage}" is not an extension enabled in service::extensions`,
      });
  }
}

function validatePipeline(
  id: string,
  body: unknown,
  sections: Record<ComponentKind, Record<string, ComponentConfig>>,
  registry: ComponentRegistry,
  problems: ConfigProblem[],
  broken: ReadonlySet<string>,
): PipelineConfig | undefined {
  const path = `service::pipelines::${id}`;
  const m = ID.exec(id);
  const signal = m?.[1] as Signal | undefined;
  if (!signal || !SIGNALS.includes(signal)) {
    problems.push({
      path,
      message: `pipeline id must be traces, logs or metrics, optionally with /name; got "${id}"`,
    });
    return undefined;
  }
  const decoded = decodeOver({ receivers: [], processors: [], exporters: [] }, body, path);
  problems.push(...decoded.problems);
  const lists = decoded.value as Record<ComponentKind, unknown[]>;
  const out: Record<ComponentKind, string[]> = { receivers: [], processors: [], exporters: [] };
  for (const kind of KINDS) {
    const seen = new Set<string>();
    lists[kind].forEach((ref, i) => {
      const refPath = `${path}::${kind}::${i}`;
      if (typeof ref !== 'string') {
        problems.push({ path: refPath, message: `must be a ${SINGULAR[kind]} id, got ${show(ref)}` });
        return;
      }
      if (seen.has(ref)) {
        problems.push({ path: refPath, message: `${SINGULAR[kind]} "${ref}" is listed twice` });
        return;
      }
      seen.add(ref);
      const component = sections[kind][ref];
      // Already reported under its section; a second problem here would only be noise.
      if (!component && broken.has(`${kind}::${ref}`)) return;
      if (!component) {
        const other = KINDS.find((k) => k !== kind && sections[k][ref] !== undefined);
        const message = other
          ? `"${ref}" is configured as a ${SINGULAR[other]}; it cannot be used as ${SINGULAR[kind] === 'exporter' ? 'an' : 'a'} ${SINGULAR[kind]}`
          : `${SINGULAR[kind]} "${ref}" is not configured under ${kind}`;
        problems.push({ path: refPath, message });
        return;
      }
      const factory = registry[kind].get(component.type) as FactoryBase<unknown>;
      if (!factory.signals.includes(signal)) {
        problems.push({
          path: refPath,
          message: `${SINGULAR[kind]} "${ref}" does not support ${signal} (it supports ${factory.signals.join(', ')})`,
        });
        return;
      }
      const why = factory.checkSignal?.(component.config, signal);
      if (why !== undefined) {
        problems.push({ path: refPath, message: `${SINGULAR[kind]} "${ref}" ${why}` });
        return;
      }
      out[kind].push(ref);
    });
  }
  if (lists.receivers.length === 0)
    problems.push({ path: `${path}::receivers`, message: 'a pipeline needs at least one receiver' });
  if (lists.exporters.length === 0)
    problems.push({ path: `${path}::exporters`, message: 'a pipeline needs at least one exporter' });
  return { id, signal, ...out };
}
