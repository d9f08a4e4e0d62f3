import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseByteSize, parseDuration, parseEndpoint } from '../../../src/collector/config/values.js';

describe('parseDuration', () => {
  it('converts Go durations to milliseconds', () => {
    assert.deepEqual(parseDuration('200ms'), { value: 200 });
    assert.deepEqual(parseDuration('5s'), { value: 5000 });
    assert.deepEqual(parseDuration('1m'), { value: 60_000 });
    assert.deepEqual(parseDuration('1m30s'), { value: 90_000 });
    assert.deepEqual(parseDuration('1.5h'), { value: 5_400_000 });
    assert.deepEqual(parseDuration('500us'), { value: 0.5 });
    assert.deepEqual(parseDuration(0), { value: 0 });
  });

  it('refuses bare numbers, unknown units and junk with a message naming the value', () => {
    for (const bad of [200, '200', '5 seconds', '5x', '', 's', null, '1m junk']) {
      const r = parseDuration(bad);
      assert.ok(r.error, `expected an error for ${String(bad)}`);
      assert.match(r.error, /duration/);
    }
  });
});

describe('parseByteSize', () => {
  it('tells binary from decimal units and takes bare numbers as bytes', () => {
    assert.deepEqual(parseByteSize('20MiB'), { value: 20 * 1024 * 1024 });
    assert.deepEqual(parseByteSize('20MB'), { value: 20_000_000 });
    assert.deepEqual(parseByteSize('4KiB'), { value: 4096 });
    assert.deepEqual(parseByteSize(1048576), { value: 1048576 });
    assert.deepEqual(parseByteSize('123'), { value: 123 });
  });

  it('refuses negative, fractional byte counts and unknown units', () => {
    for (const bad of [-1, 1.5, '20 parsecs', 'MiB', true]) assert.ok(parseByteSize(bad).error);
  });
});

describe('parseEndpoint', () => {
  it('splits host and port, including bracketed IPv6 and the all-interfaces form', () => {
    assert.deepEqual(parseEndpoint('127.0.0.1:4318'), { value: { host: '127.0.0.1', port: 4318 } });
    assert.deepEqual(parseEndpoint('[::1]:4317'), { value: { host: '::1', port: 4317 } });
    assert.deepEqual(parseEndpoint(':8888'), { value: { host: '', port: 8888 } });
    assert.deepEqual(parseEndpoint('localhost:0'), { value: { host: 'localhost', port: 0 } });
  });

  it('refuses missing ports, out-of-range ports, URLs and unbracketed IPv6', () => {
    for (const bad of ['127.0.0.1', '127.0.0.1:70000', 'http://x:1', '::1:4317', 4318, 'host:port']) {
      assert.ok(parseEndpoint(bad).error, `expected an error for ${String(bad)}`);
    }
  });
});
