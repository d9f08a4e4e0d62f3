import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { decodeOver } from '../../../../src/collector/config/decode.js';
import {
  createDefaultPrometheusExporterConfig,
  type PrometheusExporterConfig,
} from '../../../../src/collector/exporters/prometheus/config.js';
import { prometheusExporterFactory } from '../../../../src/collector/exporters/prometheus/factory.js';
import type { PrometheusExporter } from '../../../../src/collector/exporters/prometheus/PrometheusExporter.js';
import type { MetricsData } from '../../../../src/model/otlp.js';
import { testHost } from '../../helpers.js';

const exporters: PrometheusExporter[] = [];
after(async () => {
  for (const e of exporters) await e.shutdown();
});

function build(user: Record<string, unknown>): PrometheusExporter {
  const { value, problems } = decodeOver<PrometheusExporterConfig>(
    createDefaultPrometheusExporterConfig(),
    { endpoint: '127.0.0.1:0', ...user },
    'exporters::prometheus',
  );
  assert.deepEqual([...problems, ...prometheusExporterFactory.validate(value)], []);
  const e = prometheusExporterFactory.createExporter({ id: 'prometheus', pipeline: '' }, value, [
    'metrics',
  ]) as PrometheusExporter;
  exporters.push(e);
  return e;
}

const missingRate: MetricsData = {
  resourceMetrics: [
    {
      resource: {
        attributes: [{ key: 'service.name', value: { stringValue: 'mlobs' } }],
        droppedAttributesCount: 0,
      },
      scopeMetrics: [
        {
          scope: { name: 'mlobs', version: '', attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          metrics: [
            {
              name: 'mlobs.feature.missing_rate',
              description: 'Share of null values',
              unit: '1',
              metadata: [],
              gauge: {
                dataPoints: [
                  {
                    attributes: [{ key: 'ml.finding.feature', value: { stringValue: 'income' } }],
                    startTimeUnixNano: 0n,
                    timeUnixNano: 1n,
                    asDouble: 0.3,
                    exemplars: [],
                    flags: 0,
                  },
                ],
              },
            },
          ],
        },
      ],
      schemaUrl: '',
    },
  ],
};

describe('prometheus exporter', () => {
  it('serves pushed OTLP metrics and the collector counters at /metrics, OpenMetrics on request', async () => {
    const host = testHost();
    host.telemetry.add('mlobs_receiver_accepted_spans_total', 12, { receiver: 'otlp', transport: 'http' });
    const e = build({ const_labels: { region: 'eu' } });
    await e.start(host);
    await e.consumeMetrics(missingRate);
    const url = `http://127.0.0.1:${e.address?.port}/metrics`;
    const text = await fetch(url);
    assert.equal(text.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const body = await text.text();
    assert.match(
      body,
      /^mlobs_feature_missing_rate_ratio\{job="mlobs",ml_finding_feature="income",otel_scope_name="mlobs",region="eu"\} 0.3$/m,
    );
    assert.match(
      body,
      /^mlobs_receiver_accepted_spans_total\{receiver="otlp",region="eu",transport="http"\} 12$/m,
    );
    // The exporter counts what it took in, on the same page.
    assert.match(body, /^mlobs_exporter_sent_metric_points_total\{exporter="prometheus",region="eu"\} 1$/m);
    const om = await fetch(url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    assert.match(om.headers.get('content-type') ?? '', /^application\/openmetrics-text/);
    const omBody = await om.text();
    assert.match(omBody, /^# TYPE mlobs_receiver_accepted_spans counter$/m);
    assert.ok(omBody.endsWith('# EOF\n'));
    assert.equal((await fetch(`http://127.0.0.1:${e.address?.port}/other`)).status, 404);
  });

  it('counts points folded into the overflow series per metric', async () => {
    const host = testHost();
    const e = build({ max_series_per_metric: 1, self_telemetry: false });
    await e.start(host);
    const twoFeatures = structuredClone(missingRate);
    const m = twoFeatures.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
    m.gauge!.dataPoints.push({
      ...m.gauge!.dataPoints[0]!,
      attributes: [{ key: 'ml.finding.feature', value: { stringValue: 'age' } }],
      asDouble: 0.1,
    });
    await e.consumeMetrics(twoFeatures);
    const body = await e.render('text');
    assert.match(body, /^mlobs_feature_missing_rate_ratio\{otel_metric_overflow="true"\} 0.1$/m);
    assert.equal(
      await host.telemetry.get('mlobs_exporter_prometheus_overflow_points_total', {
        exporter: 'prometheus',
        metric: 'mlobs_feature_missing_rate_ratio',
      }),
      1,
    );
    assert.doesNotMatch(body, /mlobs_exporter_sent/, 'self_telemetry: false leaves the counters out');
  });

  it('refuses bad settings with the path of each', () => {
    const { value } = decodeOver<PrometheusExporterConfig>(
      createDefaultPrometheusExporterConfig(),
      {
        endpoint: 'nope',
        max_series_per_metric: 0,
        metric_expiration: '5 minutes',
        const_labels: { 'bad-name': 'x' },
      },
      'exporters::prometheus',
    );
    const paths = prometheusExporterFactory.validate(value).map((p) => p.path);
    assert.deepEqual(paths.sort(), [
      'const_labels::bad-name',
      'endpoint',
      'max_series_per_metric',
      'metric_expiration',
    ]);
  });
});
