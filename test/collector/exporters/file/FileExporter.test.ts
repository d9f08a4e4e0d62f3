import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateFileConfig } from '../../../../src/collector/exporters/file/config.js';
import { FileExporter } from '../../../../src/collector/exporters/file/FileExporter.js';
import { fileExporterFactory } from '../../../../src/collector/exporters/file/factory.js';
import { decodeLogsJson, decodeTracesJson, encodeTracesJson } from '../../../../src/collector/otlp/index.js';
import { TelemetryRegistry } from '../../../../src/collector/service/TelemetryRegistry.js';
import type { LogsData, TracesData } from '../../../../src/model/otlp.js';
import { oneSpanTraces, testHost } from '../../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function traces(name: string): TracesData {
  return oneSpanTraces({
    resource: [{ key: 'service.name', value: { stringValue: 'svc' } }],
    span: {
      name,
      startTimeUnixNano: 1_764_175_278_000_000_123n,
      endTimeUnixNano: 1_764_175_278_500_000_000n,
      attributes: [{ key: 'ml.batch.rows', value: { intValue: 64 } }],
    },
  });
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('file exporter', () => {
  it('writes one OTLP/JSON request per line that decodes back to the same spans', async () => {
    const path = join(dir, 'a', 'nested', 'spans.jsonl');
    const telemetry = new TelemetryRegistry();
    const e = new FileExporter({ id: 'file', path, append: false, rotation: undefined });
    await e.start(testHost(telemetry));
    await Promise.all([e.consumeTraces(traces('one')), e.consumeTraces(traces('two'))]);
    const logs: LogsData = { resourceLogs: [] };
    await e.consumeLogs(logs);
    await e.shutdown();
    const written = lines(path);
    assert.equal(written.length, 3);
    assert.deepEqual(decodeTracesJson(written[0] as string), traces('one'));
    assert.deepEqual(decodeTracesJson(written[1] as string), traces('two'));
    assert.deepEqual(decodeLogsJson(written[2] as string), logs);
    assert.match(written[0] as string, /"startTimeUnixNano":"1764175278000000123"/);
    assert.equal(await telemetry.get('mlobs_exporter_sent_spans_total', { exporter: 'file' }), 2);
  });

  it('appends by default and, with append: false, truncates only at the first write, never at start', async () => {
    const path = join(dir, 'keep.jsonl');
    writeFileSync(path, 'old line\n');
    const defaults = fileExporterFactory.createExporter(
      { id: 'file', pipeline: 'traces' },
      { ...fileExporterFactory.createDefaultConfig(), path },
      ['traces'],
    ) as FileExporter;
    await defaults.start(testHost());
    await defaults.consumeTraces(traces('new'));
    await defaults.shutdown();
    assert.equal(lines(path)[0], 'old line');
    assert.equal(lines(path).length, 2);
    const truncating = new FileExporter({ id: 'file', path, append: false, rotation: undefined });
    await truncating.start(testHost());
    await truncating.shutdown();
    assert.equal(lines(path).length, 2, 'a start and stop without data leaves the file alone');
    const writer = new FileExporter({ id: 'file', path, append: false, rotation: undefined });
    await writer.start(testHost());
    await writer.consumeTraces(traces('fresh'));
    await writer.shutdown();
    assert.equal(lines(path).length, 1);
  });

  it('creates nothing before the first write, and creates the file 0600', async () => {
    const path = join(dir, 'lazy', 'spans.jsonl');
    const e = new FileExporter({ id: 'file', path, append: true, rotation: undefined });
    await e.start(testHost());
    assert.equal(existsSync(join(dir, 'lazy')), false, 'not even the directory');
    await e.consumeTraces(traces('one'));
    await e.shutdown();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'lazy')).mode & 0o077, 0, 'the directory is private too');
  });

  it('refuses to start on a symlink unless follow_symlinks is set, leaving the target untouched', async () => {
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'do not touch\n');
    const link = join(dir, 'link.jsonl');
    symlinkSync(target, link);
    const refused = new FileExporter({ id: 'file', path: link, append: false, rotation: undefined });
    await assert.rejects(refused.start(testHost()), /symbolic link.*follow_symlinks/);
    await refused.shutdown();
    assert.equal(readFileSync(target, 'utf8'), 'do not touch\n');
    const followed = new FileExporter({
      id: 'file',
      path: link,
      append: true,
      rotation: undefined,
      followSymlinks: true,
    });
    await followed.start(testHost());
    await followed.consumeTraces(traces('via link'));
    await followed.shutdown();
    assert.equal(lines(target).length, 2, 'appended through the link when asked to');
  });

  it('does not write through a symlink planted after start', async () => {
    const target = join(dir, 'precious2.txt');
    writeFileSync(target, 'mine\n');
    const path = join(dir, 'late.jsonl');
    const e = new FileExporter({ id: 'file', path, append: true, rotation: undefined });
    await e.start(testHost());
    symlinkSync(target, path);
    await assert.rejects(e.consumeTraces(traces('x')), /symbolic link/);
    await e.shutdown();
    assert.equal(readFileSync(target, 'utf8'), 'mine\n');
  });

  it('rotates by size between lines and keeps only max_backups old files', async () => {
    const sub = join(dir, 'rot');
    const path = join(sub, 'spans.jsonl');
    // Every test line has the same length (names are s00…s08), so the limit holds exactly two lines.
    const lineBytes = Buffer.byteLength(`${encodeTracesJson(traces('s00'))}\n`);
    const e = new FileExporter({
      id: 'file',
      path,
      append: false,
      rotation: { maxBytes: lineBytes * 2, maxBackups: 2 },
    });
    await e.start(testHost());
    for (let i = 0; i < 9; i++) await e.consumeTraces(traces(`s${String(i).padStart(2, '0')}`));
    await e.shutdown();
    const files = readdirSync(sub).sort();
    assert.equal(files.length, 3, `current + 2 backups, got ${files.join(', ')}`);
    assert.ok(files.includes('spans.jsonl'));
    for (const f of files.filter((f) => f !== 'spans.jsonl'))
      assert.match(f, /^spans-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}(-\d+)?\.jsonl$/);
    // Every file holds whole lines only, each at most two, and the newest lines are kept.
    const all = files.flatMap((f) => lines(join(sub, f)));
    for (const l of all) decodeTracesJson(l);
    for (const f of files) assert.ok(lines(join(sub, f)).length <= 2);
    assert.deepEqual(
      lines(path).map((l) => decodeTracesJson(l).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name),
      ['s08'],
    );
    assert.equal(all.length, 5, 'the 4 oldest lines went with the pruned backups');
  });

  it('refuses data after shutdown with a retryable error and counts it as failed', async () => {
    const telemetry = new TelemetryRegistry();
    const e = new FileExporter({
      id: 'file',
      path: join(dir, 'closed.jsonl'),
      append: false,
      rotation: undefined,
    });
    await e.start(testHost(telemetry));
    await e.shutdown();
    await e.shutdown();
    await assert.rejects(e.consumeTraces(traces('late')), { name: 'ConsumerError', permanent: false });
    assert.equal(await telemetry.get('mlobs_exporter_send_failed_spans_total', { exporter: 'file' }), 1);
  });
});

describe('file exporter config', () => {
  it('requires a path and checks rotation keys and values', () => {
    const d = fileExporterFactory.createDefaultConfig();
    assert.deepEqual(d, { path: '', rotation: null, format: 'json', append: true, follow_symlinks: false });
    assert.deepEqual(validateFileConfig(d), [
      { path: 'path', message: 'is required (the JSON-lines file to write)' },
    ]);
    const bad = {
      ...d,
      path: 'x.jsonl',
      format: 'proto',
      rotation: { max_megabytes: 0, max_backups: -1, max_days: 3 },
    };
    assert.deepEqual(validateFileConfig(bad), [
      { path: 'format', message: 'only "json" is supported, got "proto"' },
      { path: 'rotation::max_megabytes', message: 'must be > 0 (a whole number), got 0' },
      { path: 'rotation::max_backups', message: 'must be a whole number >= 0, got -1' },
      { path: 'rotation::max_days', message: 'unknown key "max_days" (allowed: max_megabytes, max_backups)' },
    ]);
    assert.deepEqual(validateFileConfig({ ...d, path: 'x.jsonl', rotation: {} }), []);
  });
});
