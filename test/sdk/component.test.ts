import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { context, diag, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { component, ioLinks } from '../../src/sdk/component.js';
import { sdkDrops } from '../../src/sdk/DropCounter.js';
import { recordFeatures } from '../../src/sdk/recordFeatures.js';
import type { SpanLike, TracerLike } from '../../src/sdk/types.js';
import {
  ATTR_ML_BATCH_ROWS,
  ATTR_ML_COMPONENT_KIND,
  ATTR_ML_COMPONENT_VERSION,
  ATTR_ML_IO_INPUT_FINGERPRINTS,
  ATTR_ML_IO_INPUTS,
  ATTR_ML_PIPELINE_NAME,
  EVENT_ML_FEATURES,
} from '../../src/semconv/index.js';
import { captureDiagWarnings } from './spanHarness.js';

describe('component()', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const warnings: string[] = [];
  const contextManager = new AsyncLocalStorageContextManager();

  before(() => {
    context.setGlobalContextManager(contextManager.enable());
  });
  after(() => {
    context.disable();
  });
  beforeEach(() => {
    exporter.reset();
    ioLinks.clear();
    sdkDrops.reset();
    warnings.length = 0;
    captureDiagWarnings(warnings);
  });
  afterEach(() => diag.disable());

  it('returns what a sync function returns and ends the span before returning', () => {
    const out = component('double', { tracer }, () => 21 * 2);
    assert.equal(out, 42);
    assert.equal(exporter.getFinishedSpans().length, 1);
  });

  it('awaits an async function before ending the span and resolves to its value', async () => {
    let endedEarly = false;
    const out = component('slow', { tracer }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      endedEarly = exporter.getFinishedSpans().length > 0;
      return 'done';
    });
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.equal(await out, 'done');
    assert.equal(endedEarly, false);
    assert.equal(exporter.getFinishedSpans().length, 1);
  });

  it('makes the run span the active span inside fn, also after an await', async () => {
    await component('outer', { tracer }, async (run) => {
      assert.equal(trace.getActiveSpan()?.spanContext().spanId, run.span.spanContext().spanId);
      await new Promise((r) => setTimeout(r, 1));
      assert.equal(trace.getActiveSpan()?.spanContext().spanId, run.span.spanContext().spanId);
    });
  });

  it('lets nested components inherit the pipeline name and override it', () => {
    component('root', { tracer, pipeline: 'p1', runId: 'r1' }, () => {
      component('child', { tracer, version: 'abc123' }, () => {});
      component('other', { tracer, pipeline: 'p2' }, () => {});
    });
    const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    assert.equal(byName.get('child')!.attributes[ATTR_ML_PIPELINE_NAME], 'p1');
    assert.equal(byName.get('child')!.attributes[ATTR_ML_COMPONENT_VERSION], 'abc123');
    assert.equal(byName.get('other')!.attributes[ATTR_ML_PIPELINE_NAME], 'p2');
    assert.equal(byName.get('child')!.parentSpanContext?.spanId, byName.get('root')!.spanContext().spanId);
  });

  it('links an input declared during the run to its writer and lists it with its fingerprint', () => {
    component('writer', { tracer, outputs: [{ ref: 's3://b/model.bin', fingerprint: 'h1' }] }, () => {});
    component('reader', { tracer }, (run) => run.addInput('s3://b/model.bin', 'h1'));
    const [writer, reader] = exporter.getFinishedSpans();
    assert.deepEqual(reader.attributes[ATTR_ML_IO_INPUTS], ['s3://b/model.bin']);
    assert.deepEqual(reader.attributes[ATTR_ML_IO_INPUT_FINGERPRINTS], ['h1']);
    assert.equal(reader.links[0].context.spanId, writer.spanContext().spanId);
  });

  it('does not link to a writer of different content', () => {
    component('writer', { tracer, outputs: [{ ref: 'table:t', fingerprint: 'old' }] }, () => {});
    component('reader', { tracer, inputs: [{ ref: 'table:t', fingerprint: 'new' }] }, () => {});
    assert.equal(exporter.getFinishedSpans()[1].links.length, 0);
  });

  it('still runs fn unchanged when the tracer itself throws', () => {
    const broken: TracerLike = {
      startSpan() {
        throw new Error('tracer bug');
      },
    };
    assert.equal(
      component('x', { tracer: broken }, () => 'ran'),
      'ran',
    );
    assert.match(warnings[0], /component span not started/);
  });

  it('works with any structural tracer, not only SDK classes', () => {
    const calls: string[] = [];
    const span: SpanLike = {
      spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
      setAttribute: (k) => calls.push(`attr ${k}`),
      addEvent: (n) => calls.push(`event ${n}`),
      recordException: () => calls.push('exception'),
      setStatus: () => calls.push('status'),
      isRecording: () => true,
      end: () => calls.push('end'),
    };
    component('plain', { tracer: { startSpan: () => span } }, (run) => {
      run.recordFeatures({ x: [1, 2, 3] });
    });
    assert.ok(calls.includes(`event ${EVENT_ML_FEATURES}`), calls.join(', '));
    assert.ok(calls.includes(`attr ${ATTR_ML_BATCH_ROWS}`));
    assert.equal(calls.at(-1), 'end');
  });

  it('leaves out a kind outside the enum and says which kinds exist', () => {
    component('odd', { tracer, kind: 'training' as never }, () => {});
    assert.equal(exporter.getFinishedSpans()[0].attributes[ATTR_ML_COMPONENT_KIND], undefined);
    assert.match(warnings[0], /kind 'training' is not one of source, transform, features, inference/);
  });

  it('rejects a call without a function, naming the component', () => {
    assert.throws(
      () => component('nofn', {} as never),
      /component\('nofn'\): the last argument must be the function/,
    );
  });

  it('does not offer a sampled-out run as a link target, since its span is never exported', () => {
    const off = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('off');
    component('unsampled-writer', { tracer: off, outputs: ['table:t'] }, () => {});
    assert.equal(ioLinks.findWriter('table:t', ''), undefined);
  });

  it('computes nothing for a sampled-out span', () => {
    const off = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer('off');
    component('sampled-out', { tracer: off }, () => {
      recordFeatures({ x: { length: 3 } as never });
    });
    // Even malformed data is not looked at: the span would not be exported anyway.
    assert.deepEqual(sdkDrops.snapshot(), {});
  });
});
