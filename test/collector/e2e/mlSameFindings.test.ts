/**
 * "The same stream sent to the collector over OTLP gives the same findings": one tracer
 * provider records a deterministic pipeline with a fault and feeds it both to the
 * in-process MlSpanProcessor and, through the official OTLP/protobuf trace exporter, to a
 * collector running the ml processor; the findings the collector writes (as `ml.finding`
 * log records, through the file exporter) name the same detector, feature and window.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { formatTimestamp } from '../../../src/analysis/attributes.js';
import { createDetectors } from '../../../src/analysis/detectors/index.js';
import { startCollector } from '../../../src/collector/index.js';
import { decodeLogsJson } from '../../../src/collector/otlp/index.js';
import type { Finding } from '../../../src/model/finding.js';
import {
  ATTR_ML_FINDING_DETECTOR,
  ATTR_ML_FINDING_FEATURE,
  ATTR_ML_FINDING_WINDOW_START,
  EVENT_ML_FINDING,
} from '../../../src/semconv/index.js';
import { MlSpanProcessor } from '../../../src/stream/index.js';
import { freePort } from '../../freePort.js';
import { MIN, pipelineSpans } from '../processors/ml/pipelineFixture.js';

const dir = mkdtempSync(join(tmpdir(), 'mlobs-same-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('in-process and collector analysis', () => {
  it('make the same findings (detector, feature, window) from the same spans', async () => {
    const [otlp, telemetry] = [await freePort(), await freePort()];
    const out = join(dir, 'out.jsonl');
    const collector = await startCollector(
      {
        receivers: {
          otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } },
        },
        processors: { ml: { window: '1m', lateness: '0s', idle_close: '0', storage: { type: 'memory' } } },
        exporters: { file: { path: out } },
        service: {
          telemetry: { endpoint: `127.0.0.1:${telemetry}` },
          pipelines: {
            traces: { receivers: ['otlp'], processors: ['ml'], exporters: ['file'] },
            logs: { receivers: ['otlp'], processors: ['ml'], exporters: ['file'] },
          },
        },
      },
      { log: () => {} },
    );
    const local: Finding[] = [];
    const inProcess = new MlSpanProcessor({
      window: { lengthMs: MIN },
      detectors: createDetectors(),
      tracer: null,
      meter: null,
      listener: { onFinding: (f) => local.push(f) },
    });
    const { spans, provider } = await pipelineSpans(16, 10, [inProcess]);
    await provider.shutdown();
    // The exporter is driven directly so a failed export fails the test instead of being dropped.
    const exporter = new OTLPTraceExporter({
      url: `http://127.0.0.1:${otlp}/v1/traces`,
      timeoutMillis: 60_000,
    });
    for (let i = 0; i < spans.length; i += 50) {
      const result = await new Promise<ExportResult>((resolve) =>
        exporter.export(spans.slice(i, i + 50), resolve),
      );
      assert.equal(result.code, ExportResultCode.SUCCESS, String(result.error));
    }
    await exporter.shutdown();
    await collector.shutdown();

    const key = (detector: string, feature: string, windowStart: string) =>
      `${detector} ${feature} ${windowStart}`;
    const expected = local.map((f) => key(f.detector, f.feature, formatTimestamp(f.windowStartMs))).sort();
    const remote: string[] = [];
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (!line.includes('resourceLogs')) continue;
      for (const rl of decodeLogsJson(line).resourceLogs)
        for (const sl of rl.scopeLogs)
          for (const r of sl.logRecords) {
            if (r.eventName !== EVENT_ML_FINDING) continue;
            const a = (k: string) => r.attributes.find((x) => x.key === k)?.value.stringValue ?? '';
            remote.push(
              key(a(ATTR_ML_FINDING_DETECTOR), a(ATTR_ML_FINDING_FEATURE), a(ATTR_ML_FINDING_WINDOW_START)),
            );
          }
    }
    assert.ok(
      expected.some((k) => k.includes('monthly_spend')),
      `in-process findings: ${expected}`,
    );
    assert.deepEqual(remote.sort(), expected);
  });
});
