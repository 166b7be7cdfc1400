// Builds LLM Lab: one esbuild context per target, then the assets the webviews and learners need.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified, no source maps (what the VSIX ships)
//   node esbuild.mjs --watch       rebuild on change
//   node esbuild.mjs --package [--target linux-x64,...]   production build, then one .vsix per target
//                                  (default: this machine's), each with only its own native binaries
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const packaging = process.argv.includes('--package');
const production = packaging || process.argv.includes('--production');
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
  if (packaging) packageVsix();
}

/**
 * One VSIX per platform: what ships is listed positively (dist, lessons, media), and each target keeps only
 * its own onnxruntime and esbuild binaries. No sources, tests, source maps or dev files.
 */
function packageVsix() {
  const i = process.argv.indexOf('--target');
  const here = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
  const targets = (i > 0 ? process.argv[i + 1] : here).split(',');
  const ortPlatforms = ['darwin/arm64', 'darwin/x64', 'linux/arm64', 'linux/x64', 'win32/arm64', 'win32/x64'];
  mkdirSync(path.join(root, 'out'), { recursive: true });
  for (const target of targets) {
    const [os, arch] = target.split('-');
    // vsce lets any `!` pattern win over every ignore, so what ships is listed positively, per target.
    const ignore = [
      '**', '!package.json', '!package.nls.json', '!package.nls.*.json', '!README.md', '!LICENSE', '!CHANGELOG.md',
      '!media/l10n/**', '!media/walkthrough/**',
      '!dist/*.js', '!dist/media/**', '!dist/types/**', '!lessons/**', '!media/*.svg', '!media/*.png', '!media/*.css',
      '!media/model/*.onnx', '!media/model/MODEL_CARD.md', '!media/screenshots/*.png',
      // Runtime dependencies, loaded from node_modules: onnxruntime (this target's binary only) and esbuild's JS API
      // with this target's binary package (its install-time helpers are not needed).
      '!node_modules/onnxruntime-node/package.json', '!node_modules/onnxruntime-node/dist/**', `!node_modules/onnxruntime-node/bin/napi-v6/${os}/${arch}/**`,
      '!node_modules/onnxruntime-common/package.json', '!node_modules/onnxruntime-common/dist/cjs/**',
      '!node_modules/esbuild/package.json', '!node_modules/esbuild/lib/main.js', `!node_modules/@esbuild/${os}-${arch}/**`,
    ];
    const ignoreFile = path.join(root, 'out', `vscodeignore-${target}`);
    writeFileSync(ignoreFile, ignore.join('\n') + '\n');
    const out = path.join(root, 'out', `llm-lab-${target}.vsix`);
    execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--target', target,
      '--ignoreFile', ignoreFile, '--out', out, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links'], { cwd: root, stdio: 'inherit' });
  }
}
