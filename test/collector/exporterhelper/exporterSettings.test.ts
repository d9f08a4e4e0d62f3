import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createDefaultOtlpGrpcExporterConfig,
  validateOtlpGrpcExporterConfig,
} from '../../../src/collector/exporters/otlp_grpc/config.js';
import {
  createDefaultOtlpHttpExporterConfig,
  validateOtlpHttpExporterConfig,
} from '../../../src/collector/exporters/otlp_http/config.js';
import type { ConfigProblem } from '../../../src/collector/factory.js';

type Editable = { timeout: string; headers: Record<string, unknown> };

/** Both OTLP exporters, each with a valid endpoint, so only the edited fields can be wrong. */
const EXPORTERS: [string, (edit: (c: Editable) => void) => ConfigProblem[]][] = [
  [
    'otlp_grpc',
    (edit) => {
      const c = { ...createDefaultOtlpGrpcExporterConfig(), endpoint: '127.0.0.1:4317' };
      edit(c as unknown as Editable);
      return validateOtlpGrpcExporterConfig(c);
    },
  ],
  [
    'otlp_http',
    (edit) => {
      const c = { ...createDefaultOtlpHttpExporterConfig(), endpoint: 'http://127.0.0.1:4318' };
      edit(c as unknown as Editable);
      return validateOtlpHttpExporterConfig(c);
    },
  ],
];

describe('timeout and headers of the OTLP exporters', () => {
  for (const [name, validate] of EXPORTERS) {
    it(`${name}: accepts the defaults and refuses a zero or unreadable timeout and non-string headers, by path`, () => {
      assert.deepEqual(
        validate(() => undefined),
        [],
      );
      assert.deepEqual(
        validate((c) => {
          c.timeout = '0s';
        }),
        [{ path: 'timeout', message: 'must be more than 0' }],
      );
      const unreadable = validate((c) => {
        c.timeout = 'soon';
      });
      assert.deepEqual(
        unreadable.map((p) => p.path),
        ['timeout'],
      );
      assert.match(unreadable[0].message, /soon/);
      assert.deepEqual(
        validate((c) => {
          c.headers = { 'x-api-key': 'k', 'x-retries': 3 };
        }),
        [{ path: 'headers::x-retries', message: 'must be a string' }],
      );
    });
  }
});
