/**
 * The `file` exporter: one OTLP/JSON export request per line (the format the
 * OpenTelemetry Collector's file exporter writes and its otlpjsonfile receiver reads),
 * with size-based rotation. Writes are serialized through one chain so lines never
 * interleave and rotation happens between lines, never inside one.
 */
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ErrorCodes } from '../../../errors.js';
import type { LogsData, MetricsData, TracesData } from '../../../model/otlp.js';
import {
  type Component,
  ConsumerError,
  type Host,
  type LogsConsumer,
  type MetricsConsumer,
  type Signal,
  type Telemetry,
  type TracesConsumer,
} from '../../component.js';
import { encodeLogsJson, encodeMetricsJson, encodeTracesJson } from '../../otlp/index.js';
import { countItems, noopTelemetry, recordItems } from '../../service/selfMetrics.js';
import type { RotationSettings } from './config.js';

/** Resolved settings of one file exporter. */
export interface FileExporterSettings {
  /** Component id, for telemetry and messages. */
  id: string;
  /** File to write. */
  path: string;
  /** Keep existing content. */
  append: boolean;
  /** Size-based rotation, or undefined for none. */
  rotation: RotationSettings | undefined;
}

/** Writes JSON lines to a file, rotating by size. */
export class FileExporter implements Component, TracesConsumer, LogsConsumer, MetricsConsumer {
  private handle: FileHandle | undefined;
  private size = 0;
  private chain: Promise<void> = Promise.resolve();
  private telemetry: Telemetry = noopTelemetry;
  private stopped = false;

  constructor(private readonly settings: FileExporterSettings) {}

  /** Creates the directory and opens (or truncates) the file. */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
    await mkdir(dirname(this.settings.path), { recursive: true });
    this.handle = await open(this.settings.path, this.settings.append ? 'a' : 'w');
    this.size = (await this.handle.stat()).size;
  }

  /** Waits for queued writes, flushes to disk and closes the file. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.chain;
    const handle = this.handle;
    this.handle = undefined;
    if (handle) {
      await handle.datasync().catch(() => undefined);
      await handle.close();
    }
  }

  /** Appends one `ExportTraceServiceRequest` line. */
  consumeTraces(data: TracesData): Promise<void> {
    return this.write('traces', data, () => encodeTracesJson(data));
  }

  /** Appends one `ExportLogsServiceRequest` line. */
  consumeLogs(data: LogsData): Promise<void> {
    return this.write('logs', data, () => encodeLogsJson(data));
  }

  /** Appends one `ExportMetricsServiceRequest` line. */
  consumeMetrics(data: MetricsData): Promise<void> {
    return this.write('metrics', data, () => encodeMetricsJson(data));
  }

  private write(
    signal: Signal,
    data: TracesData | LogsData | MetricsData,
    encode: () => string,
  ): Promise<void> {
    const items = countItems(signal, data);
    const labels = { exporter: this.settings.id };
    if (this.stopped || !this.handle) {
      recordItems(this.telemetry, 'exporter', 'send_failed', signal, items, labels);
      return Promise.reject(
        new ConsumerError(`exporters::${this.settings.id}: file is not open`, { permanent: false }),
      );
    }
    const line = Buffer.from(`${encode()}\n`, 'utf8');
    const done = this.chain.then(async () => {
      try {
        await this.rotateIfNeeded(line.length);
        await (this.handle as FileHandle).write(line);
        this.size += line.length;
        recordItems(this.telemetry, 'exporter', 'sent', signal, items, labels);
      } catch (err) {
        recordItems(this.telemetry, 'exporter', 'send_failed', signal, items, labels);
        throw new ConsumerError(
          `${ErrorCodes.MLOBS_ERR_EXPORT_FAILED}: exporters::${this.settings.id}: cannot write ${this.settings.path}: ${(err as Error).message}`,
          { permanent: false, cause: err },
        );
      }
    });
    // The chain continues after a failed write; the caller still sees the failure.
    this.chain = done.catch(() => undefined);
    return done;
  }

  private async rotateIfNeeded(incoming: number): Promise<void> {
    const rotation = this.settings.rotation;
    if (!rotation || this.size === 0 || this.size + incoming <= rotation.maxBytes) return;
    await (this.handle as FileHandle).close();
    this.handle = undefined;
    await rename(this.settings.path, await this.backupName());
    this.handle = await open(this.settings.path, 'w');
    this.size = 0;
    if (rotation.maxBackups > 0) await this.pruneBackups(rotation.maxBackups);
  }

  /** `spans-2026-11-26T17-08-07.123.jsonl`, as lumberjack (the Collector's rotator) names backups. */
  private async backupName(): Promise<string> {
    const { dir, stem, ext } = this.parts();
    const stamp = new Date().toISOString().replace(/:/g, '-').replace('Z', '');
    for (let n = 0; ; n++) {
      const candidate = join(dir, `${stem}-${stamp}${n === 0 ? '' : `-${n}`}${ext}`);
      const exists = await stat(candidate).then(
        () => true,
        () => false,
      );
      if (!exists) return candidate;
    }
  }

  private async pruneBackups(keep: number): Promise<void> {
    const { dir, stem, ext } = this.parts();
    const pattern = new RegExp(
      `^${escapeRegExp(stem)}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}(-\\d+)?${escapeRegExp(ext)}$`,
    );
    const key = (name: string) => {
      const m = /^(.*?)(?:-(\d+))?$/.exec(name.slice(0, name.length - ext.length)) as RegExpExecArray;
      return [m[1] as string, Number(m[2] ?? 0)] as const;
    };
    const backups = (await readdir(dir))
      .filter((name) => pattern.test(name))
      .sort((a, b) => {
        const [ta, na] = key(a);
        const [tb, nb] = key(b);
        return ta === tb ? na - nb : ta < tb ? -1 : 1;
      });
    for (const name of backups.slice(0, Math.max(0, backups.length - keep))) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }

  private parts(): { dir: string; stem: string; ext: string } {
    const ext = extname(this.settings.path);
    return { dir: dirname(this.settings.path), stem: basename(this.settings.path, ext), ext };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
