// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${env:…} config references, not templates
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deepFreeze } from '../../../src/collector/config/decode.js';
import { expandEnv } from '../../../src/collector/config/expand.js';
import { formatProblems, loadConfigFile, parseConfigText } from '../../../src/collector/config/loadConfig.js';
import { validateConfig } from '../../../src/collector/config/validateConfig.js';
import { fakeRegistry } from '../fakes.js';

const testdata = join(process.cwd(), 'test/collector/config/testdata');

describe('loadConfigFile', () => {
  it('never prints the contents of a file that is not a config (a key passed by mistake)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlobs-cfg-'));
    const file = join(dir, 'key.pem');
    writeFileSync(
      file,
      '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n',
    );
    const { problems } = loadConfigFile(file, {}, fakeRegistry());
    assert.deepEqual(problems, [{ path: '(top level)', message: 'must be a map of sections, got text' }]);
  });

  it('loads a valid file, lays values over defaults and expands env references', () => {
    const result = loadConfigFile(
      join(testdata, 'valid.yaml'),
      { TALLY_LIMIT: '42', WHO: 'ops' },
      fakeRegistry(),
    );
    assert.deepEqual(result.problems, []);
    const config = result.config;
    assert.ok(config);
    assert.deepEqual(config.receivers.fake?.config, { endpoint: '127.0.0.1:4318' });
    assert.deepEqual(config.receivers['fake/second']?.config, { endpoint: '127.0.0.1:4318' });
    assert.equal(config.receivers['fake/second']?.type, 'fake');
    // A whole-value reference is read as YAML, so the limit is a number, not "42".
    assert.deepEqual(config.processors.tally?.config, { limit: 42 });
    assert.deepEqual(config.exporters.sink?.config, {
      label: 'cost is $5 for ops',
      delay_ms: 0,
      start_delay_ms: 0,
      fail_start: false,
    });
    assert.deepEqual(config.service.telemetry.endpoint, { host: '127.0.0.1', port: 0 });
    assert.equal(config.service.shutdownTimeoutMs, 2000);
    assert.deepEqual(
      config.service.pipelines.map((p) => [p.id, p.signal, p.receivers, p.processors, p.exporters]),
      [
        ['traces', 'traces', ['fake', 'fake/second'], ['tally'], ['sink', 'sink/other']],
        ['logs/audit', 'logs', ['fake'], [], ['sink']],
      ],
    );
  });

  it('uses the variable over the default when it is set', () => {
    const env = { TALLY_LIMIT: '1', WHO: 'x', FAKE_ENDPOINT: '127.0.0.1:9999' };
    const result = loadConfigFile(join(testdata, 'valid.yaml'), env, fakeRegistry());
    assert.deepEqual(result.config?.receivers.fake?.config, { endpoint: '127.0.0.1:9999' });
  });

  it('returns a deep-frozen config', () => {
    const { config } = loadConfigFile(
      join(testdata, 'valid.yaml'),
      { TALLY_LIMIT: '1', WHO: 'x' },
      fakeRegistry(),
    );
    assert.ok(config);
    assert.equal(Reflect.set(config.processors.tally?.config as object, 'limit', 5), false);
    assert.deepEqual(config.processors.tally?.config, { limit: 1 });
    assert.throws(
      () => ((config.service.pipelines[0]?.exporters as string[] | undefined) ?? []).push('x'),
      TypeError,
    );
  });

  it('reports every problem of an invalid file, env references included, each with its path', () => {
    const result = loadConfigFile(join(testdata, 'invalid.yaml'), {}, fakeRegistry());
    assert.equal(result.config, undefined);
    const lines = formatProblems(result.problems).split('\n').sort();
    assert.deepEqual(
      lines,
      [
        'exporters::sink::label: environment variable MISSING_VAR is not set and has no default',
        'extensions::health_check: unknown extension type "health_check" (known: none)',
        'receivers::fake::colour: unknown key "colour" (allowed: endpoint)',
        'receivers::fake::endpoint: must include a port ("host:port"), got "nowhere"',
        'receivers::nosuch: unknown receiver type "nosuch" (known: fake)',
        'processors::tally::limit: must be > 0',
        'service::shutdown_timeout: must be a duration such as "200ms", "5s" or "1m", got "soon"',
        'service::pipelines::traces::processors::1: processor "tally/missing" is not configured under processors',
        'service::pipelines::traces::exporters::0: exporter "sink/absent" is not configured under exporters',
        'service::pipelines::metrics::exporters::0: exporter "sink" does not support metrics (it supports traces, logs)',
        'service::pipelines::logs::receivers: a pipeline needs at least one receiver',
        'service::pipelines::logs::exporters::0: "tally" is configured as a processor; it cannot be used as an exporter',
        'service::pipelines::spans: pipeline id must be traces, logs or metrics, optionally with /name; got "spans"',
      ].sort(),
    );
  });

  it('names the file, line and column of a YAML syntax error', () => {
    const file = join(testdata, 'broken.yaml');
    const result = loadConfigFile(file, {}, fakeRegistry());
    assert.equal(result.config, undefined);
    assert.ok(result.problems.length >= 1);
    assert.equal(result.problems[0]?.path, file);
    assert.match(result.problems[0]?.message ?? '', /^line \d+, column \d+: /);
  });

  it('says the file is missing instead of throwing', () => {
    const result = loadConfigFile(join(testdata, 'nope.yaml'), {}, fakeRegistry());
    assert.deepEqual(result.problems, [
      { path: join(testdata, 'nope.yaml'), message: 'cannot read config: file not found' },
    ]);
  });
});

describe('expandEnv', () => {
  it('expands inside strings, keeps $$ as a literal $ and uses defaults for unset or empty vars', () => {
    const tree = {
      a: 'x-${env:A}-y',
      b: '$${env:A}',
      c: '${env:UNSET:-fallback}',
      d: '${env:EMPTY:-d}',
      e: ['${env:A}'],
    };
    const { value, problems } = expandEnv(tree, { A: 'one', EMPTY: '' });
    assert.deepEqual(problems, []);
    assert.deepEqual(value, { a: 'x-one-y', b: '${env:A}', c: 'fallback', d: 'd', e: ['one'] });
  });

  it('refuses references it does not know and names the path', () => {
    const { problems } = expandEnv({ r: { s: '${file:/etc/passwd}' } }, {});
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, 'r::s');
    assert.match(problems[0]?.message ?? '', /not a supported reference/);
  });

  it('never turns an env value into YAML structure', () => {
    const { value } = expandEnv({ k: '${env:V}' }, { V: '{a: 1}' });
    assert.deepEqual(value, { k: '{a: 1}' });
  });
});

describe('validateConfig', () => {
  it('refuses a config without a service section', () => {
    const { problems } = validateConfig({ receivers: { fake: null } }, fakeRegistry());
    assert.deepEqual(problems, [{ path: 'service', message: 'missing; a config needs service::pipelines' }]);
  });

  it('refuses a config without pipelines', () => {
    const { problems } = validateConfig({ service: { pipelines: {} } }, fakeRegistry());
    assert.deepEqual(problems, [
      { path: 'service::pipelines', message: 'at least one pipeline is required' },
    ]);
  });

  it('refuses a component listed twice in one pipeline', () => {
    const tree = parseConfigText(
      'receivers: {fake: }\nexporters: {sink: }\nservice: {pipelines: {traces: {receivers: [fake, fake], exporters: [sink]}}}',
      {},
      'inline',
    ).tree;
    const { problems } = validateConfig(tree, fakeRegistry());
    assert.deepEqual(problems, [
      { path: 'service::pipelines::traces::receivers::1', message: 'receiver "fake" is listed twice' },
    ]);
  });

  it('defaults the telemetry endpoint to 127.0.0.1:8888 and the shutdown timeout to 10s', () => {
    const tree = {
      receivers: { fake: null },
      exporters: { sink: null },
      service: { pipelines: { logs: { receivers: ['fake'], exporters: ['sink'] } } },
    };
    const { config } = validateConfig(tree, fakeRegistry());
    assert.deepEqual(config?.service.telemetry.endpoint, { host: '127.0.0.1', port: 8888 });
    assert.equal(config?.service.shutdownTimeoutMs, 10_000);
  });
});

describe('deepFreeze', () => {
  it('freezes nested maps and lists but leaves binary values usable', () => {
    const tree = parseConfigText('a: {b: [1, {c: 2}]}\nd: !!binary AQI=\n', {}, 'inline').tree as Record<
      string,
      unknown
    >;
    const frozen = deepFreeze(tree);
    assert.ok(Object.isFrozen((frozen.a as { b: unknown[] }).b[1]));
    assert.deepEqual([...(frozen.d as Uint8Array)], [1, 2]);
  });
});
