// Builds LLM Lab: one esbuild context per target, then the assets the webviews and learners need.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified, no source maps (what the VSIX ships)
//   node esbuild.mjs --watch       rebuild on change
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const production = process.argv.includes('--production');
const withTests = process.argv.includes('--tests');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: !production, minify: production, logLevel: 'warning',
  // Native or binary-carrying packages are loaded from node_modules at run time.
  external: ['vscode', 'onnxruntime-node', 'esbuild'],
};

const targets = [
  // The extension host side: activate() and everything that speaks to VS Code.
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: dist },
  // Markdown, math and sanitising are loaded on first lesson view, not at activation.
  { ...node, entryPoints: { render: 'src/core/render.ts' }, outdir: dist },
  // The model layer, loaded by the runner only for lessons that use the bundled model.
  { ...node, entryPoints: { model: 'src/model/index.ts' }, outdir: dist },
  // The runner process that executes learner code.
  { ...node, entryPoints: { worker: 'src/harness/worker.ts' }, outdir: dist },
  // The command-line interface.
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: dist, banner: { js: '#!/usr/bin/env node' } },
  // The webview script: browser code, drawn inside VS Code's webview.
  { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', sourcemap: !production, minify: production,
    logLevel: 'warning', entryPoints: { webview: 'src/webview/main.ts' }, outdir: dist },
];

/** Copies third-party CSS and fonts the webviews use, and writes the kit's type declarations for learners. */
function assets() {
  const media = path.join(dist, 'media');
  mkdirSync(media, { recursive: true });
  const katex = path.dirname(require.resolve('katex/package.json'));
  cpSync(path.join(katex, 'dist', 'katex.min.css'), path.join(media, 'katex.min.css'));
  mkdirSync(path.join(media, 'fonts'), { recursive: true });
  cpSync(path.join(katex, 'dist', 'fonts'), path.join(media, 'fonts'), { recursive: true, filter: (f) => !/\.(ttf|woff)$/.test(f) });
  const codicons = path.dirname(require.resolve('@vscode/codicons/package.json'));
  cpSync(path.join(codicons, 'dist', 'codicon.css'), path.join(media, 'codicon.css'));
  cpSync(path.join(codicons, 'dist', 'codicon.ttf'), path.join(media, 'codicon.ttf'));
  // Type declarations of the kit and the check library, copied into the learner's exercise folder.
  const types = path.join(dist, 'types');
  rmSync(types, { recursive: true, force: true });
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    'src/kit/index.ts', 'src/core/grading/index.ts', '--declaration', '--emitDeclarationOnly', '--outDir', types,
    '--rootDir', '.', '--target', 'ES2022', '--module', 'preserve', '--moduleResolution', 'bundler', '--strict',
    '--skipLibCheck', '--types', 'node', '--ignoreConfig'], { cwd: root, stdio: 'inherit' });
}

// The extension-host test suite (mocha inside VS Code), built to out/test/extension/ on request.
if (withTests) {
  const dir = path.join(root, 'test', 'extension');
  targets.push({ ...node, sourcemap: true, minify: false, external: [...node.external, 'mocha'],
    entryPoints: readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f)), outdir: path.join(root, 'out', 'test', 'extension') });
}

if (watch) {
  for (const t of targets) await (await esbuild.context(t)).watch();
  assets();
  console.log('watching...');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
  assets();
  writeFileSync(path.join(dist, 'build.json'), JSON.stringify({ production, builtAt: new Date().toISOString() }));
}
