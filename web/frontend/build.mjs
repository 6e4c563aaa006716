// Bundles src/*.js into ../static/dist/ as classic scripts (IIFE) plus one CSS file per entry.
// Usage: node build.mjs [--watch]
import { cp, mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

import { formJsTexts } from './plugins/form-js-texts.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const outdir = here('../static/dist');
const watch = process.argv.includes('--watch');

const fileLoader = Object.fromEntries(
  ['.woff', '.woff2', '.ttf', '.eot', '.svg', '.png', '.gif'].map((ext) => [ext, 'file'])
);

const options = {
  entryPoints: ['viewer', 'modeler', 'forms', 'form-editor', 'dmn'].map((name) => here(`src/${name}.js`)),
  outdir,
  bundle: true,
  format: 'iife',
  target: ['es2019'],
  minify: !watch,
  sourcemap: 'linked',
  legalComments: 'linked',
  loader: { ...fileLoader, '.jsx': 'jsx' },
  jsx: 'automatic',
  jsxImportSource: '@bpmn-io/properties-panel/preact',
  assetNames: 'assets/[name]-[hash]',
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'info',
  plugins: [formJsTexts],
};

await rm(outdir, { recursive: true, force: true });

// The API page (/api/v1/docs) uses Swagger UI's prebuilt files as they are; copy, don't bundle.
const swaggerFiles = ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE'];
await mkdir(`${outdir}/swagger-ui`, { recursive: true });
await Promise.all(
  swaggerFiles.map((file) => cp(here(`node_modules/swagger-ui-dist/${file}`), `${outdir}/swagger-ui/${file}`))
);

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
