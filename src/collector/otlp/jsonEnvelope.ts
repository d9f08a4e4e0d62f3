/**
 * The resource → scope → items envelope that OTLP/JSON traces, logs and metrics share
 * (`resourceSpans[].scopeSpans[].spans[]` and its logs and metrics twins). Only the three
 * key names and the item codec differ per signal, so one walker serves all three.
 */
import type { InstrumentationScope, Resource } from '../../model/otlp.js';
import {
  arr,
  field,
  type Json,
  mapAt,
  obj,
  parseJsonBody,
  resource,
  resourceJson,
  scope,
  scopeJson,
  str,
} from './jsonCommon.js';
import { decodeGuarded } from './OtlpDecodeError.js';

/** `{ [R]: { resource, [S]: { scope, [I]: T[], schemaUrl }[], schemaUrl }[] }`, as the model spells it. */
export type Envelope<R extends string, S extends string, I extends string, T> = {
  [K in R]: ({ resource: Resource; schemaUrl: string } & {
    [K2 in S]: ({ scope: InstrumentationScope; schemaUrl: string } & { [K3 in I]: T[] })[];
  })[];
};

/** Decodes an OTLP/JSON request body of one signal; throws `OtlpDecodeError` naming the bad path. */
export function decodeEnvelopeJson<R extends string, S extends string, I extends string, T>(
  text: string,
  keys: readonly [R, S, I],
  item: (v: unknown) => T,
): Envelope<R, S, I, T> {
  const [rk, sk, ik] = keys;
  const scopeLevel = (x: unknown) => {
    const o = obj(x, '$') ?? {};
    return {
      scope: scope(o.scope, 'scope'),
      [ik]: mapAt(arr(field(o, ik), ik), ik, item),
      schemaUrl: str(field(o, 'schemaUrl'), 'schemaUrl'),
    };
  };
  const resourceLevel = (x: unknown) => {
    const o = obj(x, '$') ?? {};
    return {
      resource: resource(o.resource, 'resource'),
      [sk]: mapAt(arr(field(o, sk), sk), sk, scopeLevel),
      schemaUrl: str(field(o, 'schemaUrl'), 'schemaUrl'),
    };
  };
  return decodeGuarded(() => {
    const root = parseJsonBody(text);
    return { [rk]: mapAt(arr(field(root, rk), rk), rk, resourceLevel) } as Envelope<R, S, I, T>;
  });
}

/** One signal's data to its OTLP/JSON object; schemaUrl is written only when set. */
export function envelopeToJson<R extends string, S extends string, I extends string, T>(
  data: Envelope<R, S, I, T>,
  keys: readonly [R, S, I],
  item: (v: T) => Json,
): Json {
  const [rk, sk, ik] = keys;
  return {
    [rk]: data[rk].map((rl) => {
      const o: Json = {
        resource: resourceJson(rl.resource),
        [sk]: rl[sk].map((sl) => {
          const so: Json = { scope: scopeJson(sl.scope), [ik]: sl[ik].map(item) };
          if (sl.schemaUrl) so.schemaUrl = sl.schemaUrl;
          return so;
        }),
      };
      if (rl.schemaUrl) o.schemaUrl = rl.schemaUrl;
      return o;
    }),
  };
}
