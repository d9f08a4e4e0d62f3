import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerError, type TracesConsumer } from '../../../src/collector/component.js';
import { FanoutConsumer } from '../../../src/collector/service/FanoutConsumer.js';
import type { TracesData } from '../../../src/model/otlp.js';

const batch: TracesData = { resourceSpans: [] };

function consumer(outcome: 'ok' | ConsumerError | Error, seen: TracesData[]): TracesConsumer {
  return {
    async consumeTraces(data) {
      seen.push(data);
      if (outcome !== 'ok') throw outcome;
    },
  };
}

describe('FanoutConsumer', () => {
  it('hands the same batch to every consumer', async () => {
    const seen: TracesData[] = [];
    await new FanoutConsumer([consumer('ok', seen), consumer('ok', seen)], [], []).consumeTraces(batch);
    assert.deepEqual(seen, [batch, batch]);
  });

  it('still delivers to the others when one fails, and asks for a retry if any failure is retryable', async () => {
    const seen: TracesData[] = [];
    const fan = new FanoutConsumer(
      [
        consumer(new ConsumerError('bad data', { permanent: true }), seen),
        consumer('ok', seen),
        consumer(new ConsumerError('busy', { permanent: false, retryAfterMs: 2000 }), seen),
      ],
      [],
      [],
    );
    await assert.rejects(fan.consumeTraces(batch), (err: ConsumerError) => {
      assert.equal(err.permanent, false);
      assert.equal(err.retryAfterMs, 2000);
      assert.match(err.message, /2 of 3 consumers failed: bad data; busy/);
      return true;
    });
    assert.equal(seen.length, 3);
  });

  it('reports a permanent error only when every failure is permanent', async () => {
    const fan = new FanoutConsumer(
      [
        consumer(new ConsumerError('a', { permanent: true }), []),
        consumer(new ConsumerError('b', { permanent: true }), []),
      ],
      [],
      [],
    );
    await assert.rejects(fan.consumeTraces(batch), { permanent: true });
  });

  it('treats a consumer that throws synchronously like one that rejects', async () => {
    const seen: TracesData[] = [];
    const throwing: TracesConsumer = {
      consumeTraces() {
        throw new Error('sync boom');
      },
    };
    const fan = new FanoutConsumer([throwing, consumer('ok', seen)], [], []);
    await assert.rejects(fan.consumeTraces(batch), { permanent: false });
    assert.equal(seen.length, 1);
  });
});
