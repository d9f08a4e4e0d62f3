import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Host } from '../../../src/collector/component.js';
import type { ComponentRegistry } from '../../../src/collector/config/types.js';
import { validateConfig } from '../../../src/collector/config/validateConfig.js';
import type { ExtensionFactory } from '../../../src/collector/factory.js';
import { Service } from '../../../src/collector/service/Service.js';
import { fakeRegistry, journal, resetFakes } from '../fakes.js';

const hosts: Host[] = [];

/** An extension that writes its lifecycle into the fakes' journal and keeps the host it got. */
const journalExtension: ExtensionFactory<{ note: string | null }> = {
  type: 'journal',
  createDefaultConfig: () => ({ note: null }),
  validate: () => [],
  createExtension(settings) {
    return {
      async start(host) {
        hosts.push(host);
        journal.push(`start extension ${settings.id}`);
      },
      async shutdown() {
        journal.push(`stop extension ${settings.id}`);
      },
    };
  },
};

function registry(): ComponentRegistry {
  return { ...fakeRegistry(), extensions: new Map([['journal', journalExtension]]) };
}

describe('Service extensions', () => {
  afterEach(() => {
    resetFakes();
    hosts.length = 0;
  });

  it('starts listed extensions before every pipeline component and stops them after, with the analyses registry', async () => {
    const result = validateConfig(
      {
        receivers: { fake: null },
        exporters: { sink: null },
        extensions: { journal: null, 'journal/unused': null },
        service: {
          extensions: ['journal'],
          telemetry: { endpoint: '127.0.0.1:0' },
          pipelines: { traces: { receivers: ['fake'], exporters: ['sink'] } },
        },
      },
      registry(),
    );
    assert.deepEqual(result.problems, []);
    const service = new Service(result.config!, registry(), { log: () => undefined });
    await service.start();
    await service.shutdown();
    assert.equal(journal[0], 'start extension journal');
    assert.equal(journal.at(-1), 'stop extension journal');
    assert.ok(
      !journal.some((l) => l.includes('journal/unused')),
      'a configured but unlisted extension does not run',
    );
    assert.equal(hosts[0]?.analyses, service.analyses);
  });
});
