/**
 * The JSON API's routes as one pure function, so they are tested without a socket and the
 * `mlobs_ui` extension only adds HTTP, auth and the page around them. Every answer is JSON;
 * unknown paths are 404, bad parameters 400, both with `{ error }`.
 */
import { MlobsError } from '../../errors.js';
import {
  getIncident,
  listIncidents,
  listPipelines,
  pipelineGraph,
  type StateView,
  streamWindows,
} from './stateApi.js';

/** An API answer before it is written to a socket. */
export interface ApiResponse {
  /** HTTP status. */
  status: number;
  /** The JSON body. */
  body: unknown;
}

/** What the page needs besides the data: the analysis shown and the trace link template. */
export interface ApiContext {
  /** The analysis state, or undefined when no `ml` processor is running. */
  view: StateView | undefined;
  /** The `ml` processor id shown ('' when none). */
  processor: string;
  /** `trace_url` template, or null. */
  traceUrl: string | null;
}

/** Answers one GET of `/api/v1/…`; `path` without the query. */
export function routeApi(ctx: ApiContext, path: string, query: URLSearchParams): ApiResponse {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] !== 'api' || parts[1] !== 'v1') return notFound(path);
  const [, , what, id, sub] = parts;
  if (what === 'status' && parts.length === 3)
    return ok({ processor: ctx.processor, running: ctx.view !== undefined, traceUrl: ctx.traceUrl });
  const view = ctx.view;
  try {
    if (what === 'incidents' && parts.length === 3) {
      if (!view) return ok([]);
      return ok(
        listIncidents(view, {
          state: query.get('state') ?? undefined,
          pipeline: query.get('pipeline') ?? undefined,
          model: query.get('model') ?? undefined,
        }),
      );
    }
    if (what === 'incidents' && parts.length === 4 && id) {
      const found = view ? getIncident(view, decodeURIComponent(id)) : undefined;
      return found ? ok(found) : { status: 404, body: { error: `no incident '${decodeURIComponent(id)}'` } };
    }
    if (what === 'pipelines' && parts.length === 3) return ok(view ? listPipelines(view) : []);
    if (what === 'graph' && parts.length === 3) {
      if (!view) return ok({ nodes: [], edges: [] });
      return ok(pipelineGraph(view, query.get('pipeline') ?? undefined, query.get('incident') ?? undefined));
    }
    if (what === 'streams' && parts.length === 5 && id && sub === 'windows') {
      const limitText = query.get('limit');
      const limit = limitText === null ? 100 : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > 5000)
        return {
          status: 400,
          body: { error: `limit must be a whole number from 1 to 5000, got '${limitText}'` },
        };
      return ok(view ? streamWindows(view, decodeURIComponent(id), limit) : []);
    }
  } catch (err) {
    // Bad parameters (an ambiguous id prefix, an unknown state) are the caller's to fix.
    if (err instanceof MlobsError) return { status: 400, body: { error: err.message, code: err.code } };
    throw err;
  }
  return notFound(path);
}

function ok(body: unknown): ApiResponse {
  return { status: 200, body };
}

function notFound(path: string): ApiResponse {
  return { status: 404, body: { error: `no API route ${path} (see the README's JSON API section)` } };
}
