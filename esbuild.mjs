// Builds LLM Lab: one esbuild context per target, then the assets the webviews and learners need.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified, no source maps (what the VSIX ships)
//   node esbuild.mjs --watch       rebuild on change
//   node esbuild.mjs --package [--target linux-x64,...]   production build, then one .vsix per target
//                                  (default: this machine's), each with only its own native binaries
// Type checking is separate: `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

const packaging = process.argv.includes('--package');
const production = packaging || process.argv.includes('--production');
const withTests = process.argv.includes('--tests');
const watch = process.argv.includes('--watch');
const root = path.dirname(new URL(import.meta.url).pathname);
const dist = path.join(root, 'dist');
const require = createRequire(import.meta.url);

/** Platforms packaged by --package, with the onnxruntime library file each needs. */
const TARGETS = {
  'linux-x64': ['libonnxruntime.so.1'],
  'linux-arm64': ['libonnxruntime.so.1'],
  // The binding loads @rpath/libonnxruntime.1.dylib; the versioned copy beside it is the same 44 MB again.
  'darwin-arm64': ['libonnxruntime.1.dylib'],
  // Intel Macs: onnxruntime-node stopped shipping darwin-x64 after 1.23.2 (see LEGACY_ORT), whose binding
  // loads @rpath/libonnxruntime.1.23.2.dylib.
  'darwin-x64': ['libonnxruntime.1.23.2.dylib'],
  // DirectML.dll, dxcompiler.dll and dxil.dll are not imported by onnxruntime.dll; only the DirectML and
  // WebGPU providers load them, and LLM Lab runs on the CPU provider.
  'win32-x64': ['onnxruntime.dll'],
  'win32-arm64': ['onnxruntime.dll'],
};

/**
 * Targets whose VSIX must fit a size budget (test/e2e/package.mjs): their big binaries (onnxruntime's library,
 * esbuild) are deflated with Zopfli, about 4.5% smaller than zlib's strongest level and still plain deflate,
 * so every unzip (VS Code's included) reads them as usual. Zopfli is slow (minutes for onnxruntime's 45 MB), so
 * its output is cached by content hash in out/npm-packs/zopfli; the other targets are well under the budget.
 */
const ZOPFLI_TARGETS = new Set(['linux-x64']);
const ZOPFLI_MIN_BYTES = 1 << 20;

/**
 * Targets whose onnxruntime-node comes from an older release, fetched from the npm registry with `npm pack`
 * and checked against the registry's published integrity. 1.23.2 is the last release with a darwin-x64 build;
 * it runs the bundled model with the same API and gives the same logits as 1.30 (test/e2e/package.mjs).
 */
const LEGACY_ORT = {
  'darwin-x64': {
    version: '1.23.2',
    node: 'sha512-OBTsG0W8ddBVOeVVVychpVBS87A9YV5sa2hJ6lc025T97Le+J4v++PwSC4XFs1C62SWyNdof0Mh4KvnZgtt4aw==',
    common: 'sha512-5LFsC9Dukzp2WV6kNHYLNzp8sT6V02IubLCbzw2Xd6X5GOlr65gAX6xiJwyi2URJol/s71gaQLC5F2C25AAR2w==',
  },
};

const node = {
  bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  sourcemap: !production, minify: production, logLevel: 'warning',
  // Native or binary-carrying packages are loaded from node_modules at run time.
  external: ['vscode', 'onnxruntime-node', 'esbuild'],
};

/**
 * The course layer (src/course/<part>/index.ts): references, fixtures, training loops and data the checks
 * use, imported as `@llm-lab/course/<part>`. Each part is its own bundle; the kit, the check library, the
 * model and the other parts stay external, so the runner gives them all one shared copy.
 */
const courseParts = readdirSync(path.join(root, 'src', 'course'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(root, 'src', 'course', d.name, 'index.ts')))
  .map((d) => d.name);

/** The lesson contract's file kinds (test/unit/architecture.test.ts enforces the same list on the tree). */
function lessonFileShips(rel) {
  const name = path.basename(rel);
  return /^lesson(\.zh-cn)?\.md$/.test(name) || /^[a-z0-9-]+(\.zh-cn|\.solution|\.checks)?\.ts$/.test(name)
    || /\.(json|txt|csv)$/.test(name);
}

const targets = [
  // The course layer, one bundle per part, loaded by the runner when a lesson's checks import it.
  { ...node, external: [...node.external, '@llm-lab/*'], outdir: path.join(dist, 'course'),
    entryPoints: Object.fromEntries(courseParts.map((p) => [p, `src/course/${p}/index.ts`])) },
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
  rmSync(media, { recursive: true, force: true }); // nothing stale from an older build may ship
  mkdirSync(media, { recursive: true });
  const codicons = path.dirname(require.resolve('@vscode/codicons/package.json'));
  cpSync(path.join(codicons, 'dist', 'codicon.css'), path.join(media, 'codicon.css'));
  cpSync(path.join(codicons, 'dist', 'codicon.ttf'), path.join(media, 'codicon.ttf'));
  // uPlot draws the results panel's curves (loss, reward, KL); its stylesheet positions the legend and cursor.
  cpSync(path.join(path.dirname(require.resolve('uplot/package.json')), 'dist', 'uPlot.min.css'), path.join(media, 'uPlot.min.css'));
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
  if (packaging) await packageVsix();
}

/**
 * One VSIX per platform, built from a staged folder that holds exactly what ships: the production bundles, the
 * course, the media, and only that platform's native binaries (onnxruntime's CPU library and esbuild's binary,
 * the latter fetched with `npm pack` when it is not this machine's). No sources, tests, source maps or dev files.
 * onnxruntime-node 1.30 ships no darwin-x64 binary: that package carries onnxruntime-node 1.23.2 (LEGACY_ORT).
 */
/** `npm pack name@version` into the cache (once), checked against its sha512 integrity; unpacked into a folder. */
function fetchPackage(cache, name, version, integrity) {
  const tgz = path.join(cache, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  if (!existsSync(tgz)) {
    const file = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', cache], { cwd: cache, encoding: 'utf8' }).trim().split('\n').pop();
    renameSync(path.join(cache, file), tgz);
  }
  if (integrity) {
    const actual = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    if (actual !== integrity) { rmSync(tgz); throw new Error(`${name}@${version}: integrity ${actual} is not the published ${integrity}`); }
  }
  const dir = path.join(cache, `${name.replace('@', '').replace('/', '-')}-${version}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['xzf', tgz, '-C', dir, '--strip-components=1']);
  }
  return dir;
}

async function packageVsix() {
  const i = process.argv.indexOf('--target');
  const targets = i > 0 ? process.argv[i + 1].split(',') : Object.keys(TARGETS);
  const esbuildVersion = require('esbuild/package.json').version;
  const out = path.join(root, 'out');
  const cache = path.join(out, 'npm-packs');
  mkdirSync(cache, { recursive: true });
  const copy = (from, to = from, filter) => cpSync(path.join(root, from), path.join(stage, to), { recursive: true, filter });
  let stage = '';
  // A Zopfli target's recompression runs on worker threads (minutes of CPU without its cache), so the next
  // targets are built meanwhile; all of them are awaited at the end.
  const recompressing = [];
  for (const target of targets) {
    if (!TARGETS[target]) throw new Error(`unknown target ${target}; known: ${Object.keys(TARGETS).join(', ')}`);
    const [os, arch] = target.split('-');
    stage = path.join(out, 'stage', target);
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(stage, { recursive: true });
    for (const f of ['package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) copy(f);
    copy('dist', 'dist', (f) => !f.endsWith('.map'));
    // Only what the lesson contract allows ships (texts, scaffolds, solutions, checks, mistakes, data), as one
    // Brotli stream (src/core/course-pack.ts: about 60 % of the size of the same files zipped one by one).
    writeFileSync(path.join(stage, 'lessons.pack'), await coursePack());
    // The README's screenshots are for the repository and the Marketplace page, not the installed extension.
    copy('media', 'media', (f) => !/\.(html|log)$|[\\/]\.gitignore$|train-log\.json$|[\\/]screenshots([\\/]|$)/.test(f));
    // onnxruntime-node: its JS and this platform's binding and runtime library (from the installed release, or
    // for a legacy target from the older release fetched above).
    const ort = 'node_modules/onnxruntime-node';
    const common = 'node_modules/onnxruntime-common';
    const legacy = LEGACY_ORT[target];
    const ortFrom = legacy ? fetchPackage(cache, 'onnxruntime-node', legacy.version, legacy.node) : path.join(root, ort);
    const commonFrom = legacy ? fetchPackage(cache, 'onnxruntime-common', legacy.version, legacy.common) : path.join(root, common);
    const copyFrom = (from, rel, to, filter) => cpSync(path.join(from, rel), path.join(stage, to, rel), { recursive: true, filter });
    // Its other dependencies (adm-zip, global-agent) serve only its install script, which never runs here.
    const ortPkg = JSON.parse(readFileSync(path.join(ortFrom, 'package.json'), 'utf8'));
    ortPkg.dependencies = { 'onnxruntime-common': ortPkg.dependencies['onnxruntime-common'] };
    delete ortPkg.scripts;
    mkdirSync(path.join(stage, ort), { recursive: true });
    writeFileSync(path.join(stage, ort, 'package.json'), JSON.stringify(ortPkg, null, 2));
    copyFrom(ortFrom, 'dist', ort, (f) => !/\.(map|d\.ts)$/.test(f));
    for (const f of ['onnxruntime_binding.node', ...TARGETS[target]]) copyFrom(ortFrom, `bin/napi-v6/${os}/${arch}/${f}`, ort);
    copyFrom(commonFrom, 'package.json', common);
    copyFrom(commonFrom, 'dist/cjs', common, (f) => !/\.(map|d\.ts)$/.test(f));
    if (legacy) {
      // The manifest must name the release it ships, or vsce's `npm list` finds the staged tree invalid.
      const manifest = JSON.parse(readFileSync(path.join(stage, 'package.json'), 'utf8'));
      manifest.dependencies['onnxruntime-node'] = legacy.version;
      writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
    }
    // esbuild's JS API finds its binary in @esbuild/<platform>-<arch>.
    copy('node_modules/esbuild/package.json');
    copy('node_modules/esbuild/lib/main.js');
    const pkg = `@esbuild/${target}`;
    const installed = path.join(root, 'node_modules', pkg);
    const dest = path.join(stage, 'node_modules', pkg);
    if (target === `${process.platform}-${process.arch}`) {
      cpSync(installed, dest, { recursive: true });
    } else {
      const tgz = path.join(cache, `esbuild-${target}-${esbuildVersion}.tgz`);
      if (!existsSync(tgz)) {
        const name = execFileSync('npm', ['pack', `${pkg}@${esbuildVersion}`, '--silent', '--pack-destination', cache], { cwd: cache, encoding: 'utf8' }).trim().split('\n').pop();
        renameSync(path.join(cache, name), tgz);
      }
      mkdirSync(dest, { recursive: true });
      execFileSync('tar', ['xzf', tgz, '-C', dest, '--strip-components=1']);
    }
    // The stage holds exactly what ships; vsce adds the staged node_modules through `npm list`.
    writeFileSync(path.join(stage, '.vscodeignore'), '.vscodeignore\n');
    const vsix = path.join(out, `llm-lab-${target}.vsix`);
    execFileSync(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--target', target,
      '--out', vsix, '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links'], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });
    const done = recompress(vsix, target).then(() => console.log(`packaged ${path.relative(root, vsix)} (${(statSync(vsix).size / 1e6).toFixed(1)} MB)`));
    if (ZOPFLI_TARGETS.has(target)) recompressing.push(done);
    else await done;
  }
  await Promise.all(recompressing);
}


/** The course pack (src/core/course-pack.ts, built here with esbuild so that packing and unpacking share one implementation). */
var coursePackBytes; // var: the packaging above runs before this line is reached
async function coursePack() {
  if (!coursePackBytes) {
    const outfile = path.join(root, 'out', 'course-pack.cjs');
    await esbuild.build({ entryPoints: [path.join(root, 'src', 'core', 'course-pack.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning' });
    const { packCourse } = require(outfile);
    coursePackBytes = packCourse(path.join(root, 'lessons'), lessonFileShips);
  }
  return coursePackBytes;
}

/** Raw deflate of `data` by Zopfli (one iteration: more gained under 0.1% for many times the time), cached. */
async function zopfliDeflate(data) {
  const cache = path.join(root, 'out', 'npm-packs', 'zopfli');
  const file = path.join(cache, `${createHash('sha256').update(data).digest('hex')}.i1.deflate`);
  if (existsSync(file)) return readFileSync(file);
  const t0 = Date.now();
  const out = await zopfliOnWorker(data);
  if (!inflateRawSync(out).equals(data)) throw new Error('zopfli: the deflated data does not inflate back to the input');
  mkdirSync(cache, { recursive: true });
  writeFileSync(`${file}.tmp`, out);
  renameSync(`${file}.tmp`, file);
  console.log(`  zopfli: ${data.length} -> ${out.length} bytes in ${((Date.now() - t0) / 1000).toFixed(0)} s (cached)`);
  return out;
}

/** Zopfli (@gfx/zopfli, WebAssembly: synchronous on the thread that calls it) on a worker thread of its own. */
function zopfliOnWorker(data) {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { deflate } = require(workerData.lib);
    deflate(workerData.data, { numiterations: 1 }, (err, out) => { if (err) throw err; parentPort.postMessage(out); });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { data, lib: require.resolve('@gfx/zopfli') } });
    worker.once('message', (out) => { resolve(Buffer.from(out.buffer, out.byteOffset, out.byteLength)); void worker.terminate(); });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`zopfli worker exited with code ${code}`)));
  });
}

/**
 * Rewrites a VSIX with stronger compression (vsce uses zlib's default level): zlib level 9 for every entry and,
 * for a ZOPFLI_TARGETS target, Zopfli for the entries of at least ZOPFLI_MIN_BYTES. Written by writeZip below
 * (yazl cannot take data that is already deflated).
 */
async function recompress(file, target) {
  const { default: yauzl } = await import('yauzl');
  const entries = await new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (err, zip) => {
    if (err) return reject(err);
    const list = [];
    zip.on('entry', (entry) => zip.openReadStream(entry, (e, stream) => {
      if (e) return reject(e);
      const chunks = [];
      // Keep the Unix mode: esbuild's binary must stay executable once VS Code unzips the extension.
      const mode = (entry.externalFileAttributes >>> 16) & 0o777;
      stream.on('data', (c) => chunks.push(c)).on('end', () => { list.push({ name: entry.fileName, data: Buffer.concat(chunks), mtime: entry.getLastModDate(), mode }); zip.readEntry(); });
    }));
    zip.on('end', () => resolve(list)).on('error', reject);
    zip.readEntry();
  }));
  // The Zopfli entries all at once (each on its own worker thread), the others with zlib meanwhile.
  await Promise.all(entries.map(async (e) => {
    e.deflated = ZOPFLI_TARGETS.has(target) && e.data.length >= ZOPFLI_MIN_BYTES
      ? await zopfliDeflate(e.data)
      : deflateRawSync(e.data, { level: 9 });
  }));
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, writeZip(entries));
  renameSync(tmp, file);
}

/**
 * A ZIP archive (PKWARE APPNOTE 4.3: local headers, data, central directory, end record; no ZIP64, every entry
 * deflated) from entries { name, data, deflated, mtime, mode }. Each entry is stored deflated unless that is
 * larger than the data itself. Unix modes go in the external attributes, as yazl writes them.
 */
function writeZip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const stored = e.deflated.length >= e.data.length;
    const body = stored ? e.data : e.deflated;
    const crc = crc32(e.data);
    const d = e.mtime;
    const time = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1);
    const date = ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
    const fields = (h, at) => {
      h.writeUInt16LE(20, at); // version needed to extract: 2.0 (deflate)
      h.writeUInt16LE(0x0800, at + 2); // flags: the name is UTF-8
      h.writeUInt16LE(stored ? 0 : 8, at + 4); // method: stored or deflated
      h.writeUInt16LE(time, at + 6);
      h.writeUInt16LE(date, at + 8);
      h.writeUInt32LE(crc, at + 10);
      h.writeUInt32LE(body.length, at + 14);
      h.writeUInt32LE(e.data.length, at + 18);
      h.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    fields(local, 4);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0
    fields(dir, 6);
    dir.writeUInt32LE((((e.mode ? 0o100000 | e.mode : 0o100644) << 16) >>> 0), 38);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    central.push(dir, name);
    offset += local.length + name.length + body.length;
  }
  const dirBytes = central.reduce((s, b) => s + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirBytes, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
