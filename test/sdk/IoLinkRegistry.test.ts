import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SpanContext, TraceFlags } from '@opentelemetry/api';
import { IoLinkRegistry } from '../../src/sdk/IoLinkRegistry.js';

function ctx(n: number): SpanContext {
  return {
    traceId: n.toString(16).padStart(32, '0'),
    spanId: n.toString(16).padStart(16, '0'),
    traceFlags: TraceFlags.SAMPLED,
  };
}

describe('IoLinkRegistry', () => {
  it('finds the latest writer of a reference read without fingerprint', () => {
    const r = new IoLinkRegistry();
    r.recordWrite('table:a', '', ctx(1));
    r.recordWrite('table:a', 'h2', ctx(2));
    assert.equal(r.findWriter('table:a', '')?.spanId, ctx(2).spanId);
  });

  it('with a fingerprint, finds the writer of exactly that content', () => {
    const r = new IoLinkRegistry();
    r.recordWrite('s3://b/k', 'h1', ctx(1));
    r.recordWrite('s3://b/k', 'h2', ctx(2));
    assert.equal(r.findWriter('s3://b/k', 'h1')?.spanId, ctx(1).spanId);
    assert.equal(r.findWriter('s3://b/k', 'h2')?.spanId, ctx(2).spanId);
  });

  it('does not link a fingerprinted read to a writer of different content', () => {
    const r = new IoLinkRegistry();
    r.recordWrite('s3://b/k', 'h1', ctx(1));
    assert.equal(r.findWriter('s3://b/k', 'other'), undefined);
  });

  it('links a fingerprinted read to the latest writer that did not know its fingerprint', () => {
    const r = new IoLinkRegistry();
    r.recordWrite('file:///x.csv', '', ctx(3));
    assert.equal(r.findWriter('file:///x.csv', 'h9')?.spanId, ctx(3).spanId);
  });

  it('forgets the least recently used references beyond its capacity', () => {
    const r = new IoLinkRegistry(3);
    r.recordWrite('a', '', ctx(1));
    r.recordWrite('b', '', ctx(2));
    r.recordWrite('c', '', ctx(3));
    assert.ok(r.findWriter('a', '')); // touch a: b is now the oldest
    r.recordWrite('d', '', ctx(4));
    assert.equal(r.size, 3);
    assert.equal(r.findWriter('b', ''), undefined);
    assert.ok(r.findWriter('a', ''));
    assert.ok(r.findWriter('d', ''));
  });

  it('stays bounded under many unique writes', () => {
    const r = new IoLinkRegistry(100);
    for (let i = 0; i < 10_000; i++) r.recordWrite(`table:t${i}`, `h${i}`, ctx(i + 1));
    assert.equal(r.size, 100);
    assert.equal(r.findWriter('table:t9999', 'h9999')?.spanId, ctx(10_000).spanId);
  });

  it('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new IoLinkRegistry(0), /capacity must be a positive integer, got 0/);
  });
});
