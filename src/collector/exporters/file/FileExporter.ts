/**
 * The `file` exporter: one OTLP/JSON export request per line (the format the
 * OpenTelemetry Collector's file exporter writes and its otlpjsonfile receiver reads),
 * with size-based rotation. Writes are serialized through one chain so lines never
 * interleave and rotation happens between lines, never inside one.
 *
 * The file is what people keep, so the exporter is careful with it: it appends unless told to
 * truncate; it does not create, open or truncate anything until the first line is written, so a
 * collector that fails to start (a port taken, a later component refused) leaves it untouched;
 * it refuses to write through a symlink unless `follow_symlinks` is set (a planted link must not
 * redirect telemetry onto another file); and it creates the file 0600 and directories 0700,
 * since telemetry may hold business data.
 */
import { constants } from 'node:fs';
import { access, type FileHandle, lstat, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ErrorCodes, MlobsError } from '../../../errors.js';
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
  /** Keep existing content (default); false truncates it at the first write. */
  append: boolean;
  /** Size-based rotation, or undefined for none. */
  rotation: RotationSettings | undefined;
  /** Write through a symlink at `path` (default: refuse). */
  followSymlinks?: boolean;
}

/** Writes JSON lines to a file, rotating by size. */
export class FileExporter implements Component, TracesConsumer, LogsConsumer, MetricsConsumer {
  private handle: FileHandle | undefined;
  private size = 0;
  private chain: Promise<void> = Promise.resolve();
  private telemetry: Telemetry = noopTelemetry;
  private stopped = false;
  private started = false;

  constructor(private readonly settings: FileExporterSettings) {}

  /**
   * Checks, without creating or changing anything, that the file can be written: a symlink is
   * refused unless followed on purpose, and an existing file must be writable. The file itself
   * is opened at the first write.
   */
  async start(host: Host): Promise<void> {
    this.telemetry = host.telemetry;
    const path = this.settings.path;
    const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (info?.isSymbolicLink() && !this.settings.followSymlinks)
      throw new MlobsError(
        ErrorCodes.MLOBS_ERR_EXPORT_FAILED,
        `exporters::${this.settings.id}: ${path} is a symbolic link; refusing to write through it (set follow_symlinks: true to allow)`,
      );
    if (info) await access(path, constants.W_OK);
    this.started = true;
  }

  /** Opens the file for the first write: directories 0700, the file 0600, never through an unwanted symlink. */
  private async openFile(truncate: boolean): Promise<FileHandle> {
    await mkdir(dirname(this.settings.path), { recursive: true, mode: 0o700 });
    const flags =
      constants.O_WRONLY |
      constants.O_CREAT |
      (truncate ? constants.O_TRUNC : constants.O_APPEND) |
      (this.settings.followSymlinks ? 0 : constants.O_NOFOLLOW);
    try {
      return await open(this.settings.path, flags, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOOP')
        throw new MlobsError(
          ErrorCodes.MLOBS_ERR_EXPORT_FAILED,
          `exporters::${this.settings.id}: ${this.settings.path} is a symbolic link; refusing to write through it (set follow_symlinks: true to allow)`,
        );
      throw err;
    }
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
    if (this.stopped || !this.started) {
      recordItems(this.telemetry, 'exporter', 'send_failed', signal, items, labels);
      return Promise.reject(
        new ConsumerError(`exporters::${this.settings.id}: file is not open`, { permanent: false }),
      );
    }
    const line = Buffer.from(`${encode()}\n`, 'utf8');
    const done = this.chain.then(async () => {
      try {
        if (!this.handle) {
          this.handle = await this.openFile(!this.settings.append);
          this.size = (await this.handle.stat()).size;
        }
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
    this.handle = await this.openFile(true);
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
