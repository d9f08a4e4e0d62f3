/**
 * The page's script and style sheet. An installed package serves the bundle `npm run build`
 * wrote next to this file (`dist/collector/extensions/mlobs_ui/web/app.js`); a checkout run
 * with tsx (`npm start`) has no bundle, so the first request bundles `web/app.ts` with esbuild
 * (present through tsx) in memory. Either way every byte comes from the package: no CDN.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One servable asset. */
export interface Asset {
  /** MIME type with charset. */
  type: string;
  /** Content. */
  body: Buffer;
}

let cached: Promise<Record<string, Asset>> | undefined;

/** `app.js` and `app.css`, built or bundled once per process. */
export function loadAssets(): Promise<Record<string, Asset>> {
  cached ??= load().catch((err) => {
    cached = undefined; // let a later request try again (e.g. after `npm run build`)
    throw err;
  });
  return cached;
}

async function load(): Promise<Record<string, Asset>> {
  const web = join(__dirname, 'web');
  const built = join(web, 'app.js');
  if (existsSync(built) && existsSync(join(web, 'app.css'))) {
    return {
      'app.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(built) },
      'app.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(web, 'app.css')) },
    };
  }
  const out = await bundle(join(web, 'app.ts'));
  return {
    'app.js': { type: 'text/javascript; charset=utf-8', body: out.js },
    'app.css': { type: 'text/css; charset=utf-8', body: out.css },
  };
}

/** Bundles the page's entry point with esbuild; also used by the build script to write `dist/`. */
export async function bundle(entry: string): Promise<{ js: Buffer; css: Buffer }> {
  // esbuild is a build tool, not a runtime dependency: load it only when bundling.
  const esbuild = (await import('esbuild')) as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: 'es2020',
    outdir: 'out',
    loader: { '.css': 'css' },
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const css = result.outputFiles.find((f) => f.path.endsWith('.css'));
  // Invariant, not a user error: esbuild writes one script and, the entry importing style.css, one style sheet.
  if (!js || !css) throw new Error(`bundling ${entry} produced no script or style sheet`);
  return { js: Buffer.from(js.contents), css: Buffer.from(css.contents) };
}
