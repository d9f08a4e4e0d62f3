/**
 * Writes the web page's bundle (`app.js`, `app.css`) next to the compiled `mlobs_ui` extension
 * in `dist/`, so an installed package serves it without esbuild. Run by `npm run build`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from '../src/collector/extensions/mlobs_ui/assets.js';

async function main(): Promise<void> {
  const src = join(__dirname, '..', 'src', 'collector', 'extensions', 'mlobs_ui', 'web', 'app.ts');
  const out = join(__dirname, '..', 'dist', 'collector', 'extensions', 'mlobs_ui', 'web');
  const { js, css } = await bundle(src);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'app.js'), js);
  writeFileSync(join(out, 'app.css'), css);
  process.stdout.write(`bundled the web page: app.js ${js.length} B, app.css ${css.length} B in ${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bundle-ui: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
