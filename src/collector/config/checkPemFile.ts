/**
 * Reads a PEM file a config names and checks that it holds what the config says, so
 * `mlobs validate` finds a missing or wrong TLS file before the collector starts. A problem never
 * quotes the file: it may be a private key passed by mistake.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigProblem } from '../factory.js';

/** What the file must hold. */
export type PemKind = 'certificate' | 'private key';

/** Adds a problem at `path` when the file named `file` cannot be read or is not a PEM `kind`. */
export function checkPemFile(file: string, kind: PemKind, path: string, problems: ConfigProblem[]): void {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    problems.push({ path, message: `cannot read ${file}: ${why}` });
    return;
  }
  try {
    if (kind === 'certificate') new X509Certificate(bytes);
    else createPrivateKey(bytes);
  } catch {
    problems.push({ path, message: `${file} is not a PEM ${kind}` });
  }
}
