import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectorCommand } from '../../../src/cli/commands/collector.js';
import { configArgsUsage, parseConfigArgs } from '../../../src/cli/commands/configArgs.js';
import { validateCommand } from '../../../src/cli/commands/validate.js';

describe('config command-line options', () => {
  it('reads --config and -c, and --help and -h', () => {
    assert.deepEqual(parseConfigArgs(['--config', 'a.yaml']), { config: 'a.yaml', help: false });
    assert.deepEqual(parseConfigArgs(['-c', 'b.yaml', '-h']), { config: 'b.yaml', help: true });
    assert.deepEqual(parseConfigArgs([]), { config: undefined, help: false });
  });

  it('refuses an unknown option or a stray argument with the parseArgs error code runCli turns into exit 2', () => {
    assert.throws(() => parseConfigArgs(['--conf', 'a.yaml']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
    assert.throws(() => parseConfigArgs(['a.yaml']), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' });
  });

  it('ends the usage of both collector and validate with the same options block', () => {
    const block = configArgsUsage.join('\n');
    for (const command of [collectorCommand, validateCommand]) {
      assert.ok(command.usage.endsWith(`\n\n${block}`), `${command.name} usage:\n${command.usage}`);
    }
  });
});
