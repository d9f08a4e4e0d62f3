import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultComponents } from '../../src/collector/components.js';
import { debugExporterFactory } from '../../src/collector/exporters/debug/factory.js';

describe('component registry', () => {
  it('refuses an extra factory whose type is already taken, with a catalogue code', () => {
    assert.throws(() => defaultComponents({ exporters: [debugExporterFactory] }), {
      code: 'MLOBS_ERR_COMPONENT_REGISTRY',
      message: 'exporters: two factories have the type "debug"',
    });
  });
});
