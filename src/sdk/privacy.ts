/**
 * What the SDK lets leave the process, per feature and for row ids. Summaries never carry rows,
 * but a categorical summary lists its frequent values verbatim and the label join carries
 * sampled row ids; for a column of names or an id that is an email, that is personal data.
 *
 * - `hash` (per feature): each value is replaced by a keyed hash (HMAC-SHA-256, 128 bits,
 *   `h:`-prefixed) before it is summarised, so counts, frequencies, cardinality and drift are
 *   kept and compared across batches and processes sharing the key, while the values are not.
 * - `drop` (per feature): the summary keeps counts, null/invalid counts and the distinct-value
 *   estimate, and lists no values at all (not even hashed ones).
 * - ids (`ml.prediction.id(s)`, `ml.label.ids`): keyed-hashed by default, with the same key for
 *   predictions and labels so the collector's join still matches them; `ids: 'raw'` opts out.
 *
 * The key comes from `configurePrivacy({ key })`, else `MLOBS_PRIVACY_KEY` (read by
 * `mlobs/register`), else a built-in key that is public: hashes made with it hide values from a
 * casual reader but can be reversed by guessing, and the SDK warns once that it is in use.
 */
import { createHmac } from 'node:crypto';
import { diag } from '@opentelemetry/api';

/** What happens to one feature's values. */
export type FeaturePrivacy = 'raw' | 'hash' | 'drop';

/** Privacy settings; every field is optional and falls back to the process-wide ones. */
export interface PrivacyOptions {
  /** HMAC key (a secret shared by every process whose summaries and ids must match). */
  key?: string;
  /** Per-feature treatment, by feature name; features not listed are `raw`. */
  features?: Record<string, FeaturePrivacy>;
  /** Row ids of the label join: keyed-hashed (default) or raw. */
  ids?: 'hash' | 'raw';
}

/** The public fallback key; see the module comment for what it does and does not protect. */
const PUBLIC_KEY = 'mlobs-public-default-key: set MLOBS_PRIVACY_KEY';

let settings: PrivacyOptions = {};
let warnedPublicKey = false;

/** Sets the process-wide privacy settings (replacing earlier ones); `mlobs/register` calls it from the environment. */
export function configurePrivacy(options: PrivacyOptions): void {
  for (const [name, mode] of Object.entries(options.features ?? {}))
    if (mode !== 'raw' && mode !== 'hash' && mode !== 'drop')
      throw new TypeError(
        `configurePrivacy: feature "${name}" must be raw, hash or drop, got ${String(mode)}`,
      );
  if (options.ids !== undefined && options.ids !== 'hash' && options.ids !== 'raw')
    throw new TypeError(`configurePrivacy: ids must be hash or raw, got ${String(options.ids)}`);
  settings = { ...options, features: { ...options.features } };
}

/** The process-wide settings (a copy). */
export function privacySettings(): PrivacyOptions {
  return { ...settings, features: { ...settings.features } };
}

/**
 * Settings from `MLOBS_PRIVACY_KEY`, `MLOBS_PRIVACY_HASH_FEATURES` / `MLOBS_PRIVACY_DROP_FEATURES`
 * (comma-separated feature names) and `MLOBS_PRIVACY_IDS` (`hash` or `raw`).
 */
export function privacyFromEnv(env: Record<string, string | undefined>): PrivacyOptions {
  const features: Record<string, FeaturePrivacy> = {};
  const list = (v: string | undefined) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (const name of list(env.MLOBS_PRIVACY_HASH_FEATURES)) features[name] = 'hash';
  for (const name of list(env.MLOBS_PRIVACY_DROP_FEATURES)) features[name] = 'drop';
  const ids = env.MLOBS_PRIVACY_IDS?.trim().toLowerCase();
  const out: PrivacyOptions = { features };
  if (env.MLOBS_PRIVACY_KEY) out.key = env.MLOBS_PRIVACY_KEY;
  if (ids === 'raw' || ids === 'hash') out.ids = ids;
  return out;
}

function keyOf(options: PrivacyOptions | undefined): string {
  const key = options?.key ?? settings.key;
  if (key !== undefined && key !== '') return key;
  if (!warnedPublicKey) {
    warnedPublicKey = true;
    diag.warn(
      'mlobs: hashing ids/values with the built-in public key; set MLOBS_PRIVACY_KEY (or configurePrivacy({ key })) so they cannot be reversed by guessing',
    );
  }
  return PUBLIC_KEY;
}

/** The keyed hash of `value`: `h:` + 22 base64url characters (128 bits of HMAC-SHA-256). */
export function keyedHash(value: string, key: string): string {
  return `h:${createHmac('sha256', key).update(value).digest('base64url').slice(0, 22)}`;
}

/** The treatment of `feature`: the call's option first, then the process-wide one, else raw. */
export function featurePrivacy(feature: string, options?: PrivacyOptions): FeaturePrivacy {
  return options?.features?.[feature] ?? settings.features?.[feature] ?? 'raw';
}

/** Whether any feature has a treatment other than raw (so the fast path can skip copying). */
export function anyFeaturePrivacy(options?: PrivacyOptions): boolean {
  const all = { ...settings.features, ...options?.features };
  return Object.values(all).some((m) => m !== 'raw');
}

/** Replaces each non-null value with its keyed hash (null, undefined and NaN stay missing). */
export function hashValues(values: ArrayLike<unknown>, options?: PrivacyOptions): unknown[] {
  const key = keyOf(options);
  const out: unknown[] = new Array(values.length);
  const memo = new Map<string, string>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      out[i] = v;
      continue;
    }
    const s = String(v);
    let h = memo.get(s);
    if (h === undefined) {
      h = keyedHash(s, key);
      memo.set(s, h);
    }
    out[i] = h;
  }
  return out;
}

/** A row id as it may leave the process: keyed-hashed unless ids are configured raw. */
export function exportedId(id: string, options?: PrivacyOptions): string {
  const mode = options?.ids ?? settings.ids ?? 'hash';
  return mode === 'raw' ? id : keyedHash(id, keyOf(options));
}
