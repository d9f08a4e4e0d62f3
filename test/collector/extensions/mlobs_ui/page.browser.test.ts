/**
 * The web page in a real browser (the system's headless Chromium driven by playwright-core):
 * an in-process collector with 2-second windows serves the page while `examples/pipeline.ts`
 * (a child process) sends a pipeline whose `load` component starts emitting older customers
 * and null incomes. Without reloading, the page must go from "no incidents" to the incident;
 * the incident view must mark `load` as the root cause on the graph, list the moved features
 * and draw their distributions, and show the reactions its policies took (an alert, and a
 * fallback that a pipeline watching the reaction endpoint reported done); no console errors.
 * Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { type RunningCollector, startCollector } from '../../../../src/collector/index.js';
import { watchReactions } from '../../../../src/sdk/index.js';
import { freePort } from '../../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const repo = process.cwd();
const artifacts = join(repo, 'test-artifacts');
const tsx = pathToFileURL(createRequire(join(repo, 'package.json')).resolve('tsx')).href;

/** The part of a canvas the pixel check reads (the tests compile without the DOM library). */
interface Canvas2d {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}

const cleanup: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const f of cleanup.reverse()) await f();
});

/** Runs the example pipeline against the collector; resolves when it exits. */
function feed(otlpPort: number, args: string[]): Promise<string> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', tsx, join(repo, 'examples/pipeline.ts'), ...args],
    {
      cwd: repo,
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
        // Export each run at once rather than after the SDK's default 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`pipeline exited ${code}: ${out}`)),
    ),
  );
}

describe('mlobs_ui page in Chromium', {
  skip: !existsSync(CHROMIUM) && process.env.CI !== 'true' && `no ${CHROMIUM}`,
}, () => {
  it('shows a new incident without reload, its root cause on the graph and the distributions that moved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlobs-ui-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const [otlp, telemetry, ui, reactions] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const collector: RunningCollector = await startCollector(
      {
        receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${otlp}` } } } },
        processors: {
          ml: {
            window: '2s',
            lateness: '1s',
            idle_close: '3s',
            reference: { warmup_windows: 3 },
            incidents: { open_after: 2, of_last: 3 },
            storage: { type: 'memory' },
            reactions: {
              endpoint: `127.0.0.1:${reactions}`,
              policies: [
                {
                  name: 'rules-when-income-breaks',
                  when: { feature: 'income', severity: 'warning' },
                  actions: ['alert', { type: 'fallback', to: 'churn-rules-v1' }],
                },
              ],
            },
          },
        },
        exporters: {
          file: { path: join(dir, 'spans.jsonl') },
          'file/logs': { path: join(dir, 'logs.jsonl') },
        },
        extensions: {
          mlobs_ui: { endpoint: `127.0.0.1:${ui}`, trace_url: 'http://jaeger.test:16686/trace/{trace_id}' },
        },
        service: {
          extensions: ['mlobs_ui'],
          telemetry: { endpoint: `127.0.0.1:${telemetry}` },
          pipelines: {
            traces: { receivers: ['otlp'], processors: ['ml'], exporters: ['file'] },
            logs: { receivers: ['otlp'], processors: ['ml'], exporters: ['file/logs'] },
          },
        },
      },
      { log: () => undefined },
    );
    cleanup.push(() => collector.shutdown());
    // The pipeline's side of the fallback: it switches (here: notes it) and reports success.
    const watcher = watchReactions({
      endpoint: `http://127.0.0.1:${reactions}`,
      pipeline: 'churn',
      waitMs: 2000,
    });
    cleanup.push(() => watcher.stop());
    const switched: string[] = [];
    watcher.onReaction('fallback', (r) => {
      switched.push(r.undo ? 'primary' : (r.to as string));
    });

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    cleanup.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const base = `http://127.0.0.1:${ui}`;

    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'No incidents yet' }).waitFor({ timeout: 10_000 });
    // A reload would drop this marker: the incident must arrive through the live updates.
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });

    await feed(otlp, ['--batches', '7', '--interval', '2000', '--drift-from', '5', '--quiet']);
    const item = page.locator('li.incident.open').first();
    await item.waitFor({ timeout: 30_000 });
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      42,
      'the page reloaded',
    );
    assert.match((await item.textContent()) ?? '', /Root cause: load/);
    // Reactions taken, with the outcome the watching pipeline reported, again without reload.
    await item
      .locator('.reactions-taken', { hasText: 'fallback → churn-rules-v1 (✓ succeeded)' })
      .waitFor({ timeout: 15_000 });
    assert.match((await item.locator('.reactions-taken').textContent()) ?? '', /alert \(● triggered\)/);
    assert.deepEqual(switched, ['churn-rules-v1']);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'mlobs-ui-incidents.png') });

    await item.locator('a').focus();
    // Live updates keep redrawing the list meanwhile; the focused link must keep its focus.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { className: string } } }).document
            .activeElement.className,
      ),
      'incident-link',
      'the focused incident link lost focus on a live update',
    );
    await page.keyboard.press('Enter'); // keyboard navigation, not a mouse click
    await page.waitForURL(/#\/incident\//, { timeout: 10_000 });
    // A busy machine (the whole suite runs at once) can take a while to draw the incident.
    await page.locator('.dist canvas').first().waitFor({ timeout: 30_000 });
    const cause = page.locator('svg.graph g.node[data-health="cause"]');
    assert.equal(await cause.getAttribute('data-component'), 'load');
    assert.equal(
      await page.locator('svg.graph g.node[data-component="predict"]').getAttribute('data-health'),
      'anomalous',
    );
    const features = await page
      .locator('figure.dist')
      .evaluateAll((fs) => fs.map((f) => f.getAttribute('data-feature')));
    assert.ok(features.includes('income') && features.includes('age'), `moved features shown: ${features}`);
    assert.ok((await page.locator('table.findings tbody tr').count()) > 0);
    // The reactions table: one row per ml.reaction record, oldest first.
    const rows = await page
      .locator('table.reactions tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => `${tr.getAttribute('data-action')}:${tr.getAttribute('data-status')}`),
      );
    assert.deepEqual(rows, ['alert:triggered', 'fallback:triggered', 'fallback:succeeded']);
    assert.match(
      (await page.locator('table.reactions').textContent()) ?? '',
      /rules-when-income-breaks.*fallback → churn-rules-v1.*churn\/load/,
    );
    assert.ok(
      (await page.locator('a[href^="http://jaeger.test:16686/trace/"]').count()) > 0,
      'exemplar trace links',
    );

    // The histogram is drawn: the canvas holds pixels in the reference (blue) and current (orange) colours.
    const drawn = await page
      .locator('figure.dist[data-feature="income"] canvas')
      .first()
      .evaluate((c) => {
        const canvas = c as unknown as Canvas2d;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let blue = 0;
        let orange = 0;
        for (let k = 0; k < data.length; k += 4) {
          const [r, g, b, a] = [
            data[k] as number,
            data[k + 1] as number,
            data[k + 2] as number,
            data[k + 3] as number,
          ];
          if (a > 0 && b > 150 && r < 120) blue++;
          if (a > 0 && r > 200 && g > 120 && g < 190 && b < 80) orange++;
        }
        return { blue, orange };
      });
    assert.ok(drawn.blue > 100 && drawn.orange > 100, `histogram pixels: ${JSON.stringify(drawn)}`);
    await page.screenshot({ path: join(artifacts, 'mlobs-ui-incident.png') });
    await page.screenshot({ path: join(artifacts, 'mlobs-ui-incident-full.png'), fullPage: true });
    // The README's picture: root cause, graph, findings and the first distributions.
    await page.screenshot({
      path: join(artifacts, 'mlobs-ui-readme.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: 1560 },
    });

    await page.getByRole('link', { name: 'Pipelines & models' }).click();
    await page.locator('table.streams').first().waitFor({ timeout: 10_000 });
    const streams = (await page.locator('table.streams').first().textContent()) ?? '';
    assert.match(streams, /income/);
    assert.match(streams, /ready/);
    await page.screenshot({ path: join(artifacts, 'mlobs-ui-pipelines.png'), fullPage: true });

    assert.deepEqual(errors, []);
  });
});
