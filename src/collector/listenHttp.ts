/**
 * Listening and closing for the collector's small HTTP servers (self-telemetry, the reaction
 * endpoint, the `prometheus` exporter, the web page), so each binds, reports a busy port and
 * shuts down the same way.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ErrorCode, MlobsError } from '../errors.js';
import type { Endpoint } from './config/values.js';

/**
 * Listens `server` on `endpoint`; resolves with the bound address (the real port when 0 was
 * asked). A failure to bind rejects with `code` and "`path`: cannot listen on host:port: why".
 */
export async function listenHttp(
  server: Server,
  endpoint: Endpoint,
  code: ErrorCode,
  path: string,
): Promise<Endpoint> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new MlobsError(code, `${path}: cannot listen on ${endpoint.host}:${endpoint.port}: ${err.message}`, {
          cause: err,
        }),
      ),
    );
    server.listen(endpoint.port, endpoint.host || undefined, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return { host: a.address, port: a.port };
}

/** Stops listening and drops open keep-alive connections, so closing is bounded; no-op for undefined. */
export async function closeHttp(server: Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
