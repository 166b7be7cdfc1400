// What ships: every platform's VSIX is read entry by entry and must hold exactly what the extension needs,
// its own platform's native binaries and nothing else (no sources, tests, source maps, other platforms), and
// weigh at most 25,000,000 bytes (25 MB, not MiB; issue 19). Every platform's size is printed, pass or fail.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import yauzl from 'yauzl';

const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64', 'win32-arm64'];
const MAX_BYTES = 25_000_000;

/** Unix permission bits of each entry of the last VSIX listed. */
const modes = new Map();

function list(file) {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (err, zip) => {
    if (err) return reject(err);
    const names = [];
    zip.on('entry', (e) => { names.push(e.fileName); modes.set(e.fileName, (e.externalFileAttributes >>> 16) & 0o777); zip.readEntry(); })
      .on('end', () => resolve(names)).on('error', reject);
    zip.readEntry();
  }));
}

/** The bytes of one entry of a VSIX. */
function readEntry(file, wanted) {
  return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (err, zip) => {
    if (err) return reject(err);
    zip.on('entry', (e) => {
      if (e.fileName !== wanted) return zip.readEntry();
      zip.openReadStream(e, (e2, stream) => {
        if (e2) return reject(e2);
        const chunks = [];
        stream.on('data', (c) => chunks.push(c)).on('end', () => { zip.close(); resolve(Buffer.concat(chunks)); }).on('error', reject);
      });
    }).on('end', () => resolve(undefined)).on('error', reject);
    zip.readEntry();
  }));
}

/** Why a file should not ship, or undefined when it may. */
export function forbidden(name, target) {
  const [os, arch] = target.split('-');
  if (!name.startsWith('extension/')) return ['[Content_Types].xml', 'extension.vsixmanifest'].includes(name) ? undefined : 'outside extension/';
  const f = name.slice('extension/'.length);
  if (f.endsWith('.map')) return 'a source map';
  if (/^(src|test|out|\.vscode|\.ci|node_modules\/\.bin)\//.test(f) || /^(tsconfig\.json|esbuild\.mjs|package-lock\.json|\.npmrc|\.gitignore)$/.test(f)) return 'a development file';
  if (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('lessons/')) return 'TypeScript source outside lessons/';
  // The lesson contract: texts, scaffolds, solutions, checks, mistakes and data; never a generator or a helper.
  if (f.startsWith('lessons/') && !/^lessons\/[^/]+\/(lesson(\.zh-cn)?\.md|[a-z0-9-]+(\.zh-cn|\.solution|\.checks)?\.ts|[^/]+\.(json|txt|csv))$/.test(f)) return 'not a lesson-contract file';
  if (/^lessons\/[^/]+\/make-/.test(f)) return 'a data generator';
  if (f.startsWith('media/screenshots/') || f.endsWith('train-log.json')) return 'repository-only media';
  const ort = /^node_modules\/onnxruntime-node\/bin\/napi-v6\/([^/]+)\/([^/]+)\//.exec(f);
  if (ort && (ort[1] !== os || ort[2] !== arch)) return `onnxruntime for ${ort[1]}-${ort[2]}`;
  if (/DirectML\.dll|dxcompiler\.dll|dxil\.dll/.test(f)) return 'a library the CPU provider does not load';
  // darwin-arm64's binding loads libonnxruntime.1.dylib (the versioned copy is a duplicate); darwin-x64 ships the
  // older release whose binding loads the versioned name.
  if (/libonnxruntime\.1\.\d+\.\d+\.dylib/.test(f) && target !== 'darwin-x64') return 'a duplicate of libonnxruntime.1.dylib';
  if (/libonnxruntime\.1\.dylib/.test(f) && target === 'darwin-x64') return 'a library this release does not load';
  const eb = /^node_modules\/@esbuild\/([^/]+)\//.exec(f);
  if (eb && eb[1] !== target) return `esbuild for ${eb[1]}`;
  if (f.startsWith('node_modules/') && !/^node_modules\/(onnxruntime-node|onnxruntime-common|esbuild|@esbuild)\//.test(f)) return 'an unneeded dependency';
  return undefined;
}

const REQUIRED = (target) => [
  'extension/package.json', 'extension/package.nls.json', 'extension/package.nls.zh-cn.json', 'extension/readme.md',
  'extension/LICENSE.txt', 'extension/changelog.md', 'extension/media/l10n/bundle.l10n.zh-cn.json', 'extension/media/icon.svg', 'extension/media/lab.css',
  ...['extension', 'worker', 'model', 'render', 'cli', 'webview', 'course/attention', 'course/alignment'].map((b) => `extension/dist/${b}.js`),
  'extension/dist/media/codicon.css', 'extension/dist/types/src/kit/index.d.ts', 'extension/lessons.pack',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  `extension/node_modules/onnxruntime-node/bin/napi-v6/${target.replace('-', '/')}/onnxruntime_binding.node`,
  'extension/node_modules/esbuild/lib/main.js',
];

/**
 * The darwin-x64 package carries onnxruntime-node 1.23.2 (the last release with an Intel macOS build). Its
 * JavaScript API and its runtime must run the bundled model exactly as the installed 1.30 does: checked here
 * with the same release's linux-x64 build from the packaging cache, each version in its own process (both
 * libraries are called libonnxruntime.so.1, so one process could only load one of them).
 */
function legacyOrtAgrees(root) {
  const legacy = fs.readdirSync(path.join(root, 'out', 'npm-packs')).find((d) => /^onnxruntime-node-[\d.]+$/.test(d));
  if (!legacy) return 'the packaged onnxruntime-node for darwin-x64 is not in out/npm-packs: run `npm run package`';
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined; // its other builds cannot be run here
  const script = (ortDir) => `
    const ort = require(${JSON.stringify(ortDir)});
    const bytes = require('fs').readFileSync(${JSON.stringify(path.join(root, 'media', 'model', 'moby-gpt.onnx'))});
    ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic', intraOpNumThreads: 1, logSeverityLevel: 3 })
      .then((s) => s.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: 96 }, (_, i) => BigInt((i * 7) % 80 + 1)), [1, 96]) }))
      .then((out) => process.stdout.write(JSON.stringify({ version: require(${JSON.stringify(path.join(ortDir, 'package.json'))}).version, names: Object.keys(out).sort(), logits: Array.from(out.logits.data) })));`;
  const run = (ortDir) => {
    const r = spawnSync(process.execPath, ['-e', script(ortDir)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`${ortDir}: ${r.stderr.slice(-500)}`);
    return JSON.parse(r.stdout);
  };
  const current = run(path.join(root, 'node_modules', 'onnxruntime-node'));
  const old = run(path.join(root, 'out', 'npm-packs', legacy));
  if (old.names.join() !== current.names.join()) return `onnxruntime ${old.version} gives outputs ${old.names.join(', ')}, ${current.version} ${current.names.join(', ')}`;
  const maxDiff = Math.max(...current.logits.map((v, i) => Math.abs(v - old.logits[i])));
  if (!(maxDiff <= 1e-5)) return `onnxruntime ${old.version} and ${current.version} differ on the bundled model's logits by ${maxDiff}`;
  console.log(`  ✔ onnxruntime-node ${old.version} (darwin-x64's) runs the bundled model like ${current.version}: ${old.names.length} outputs, logits max |diff| ${maxDiff}`);
  return undefined;
}

export async function packageTests({ root }) {
  let passed = 0, failed = 0;
  const legacyProblem = legacyOrtAgrees(root);
  if (legacyProblem) { failed++; console.log(`  ✖ darwin-x64's onnxruntime-node\n      ${legacyProblem}`); } else passed++;
  for (const target of TARGETS) {
    const file = path.join(root, 'out', `llm-lab-${target}.vsix`);
    const problems = [];
    if (!fs.existsSync(file)) problems.push(`${file} is missing: run \`npm run package\``);
    else {
      const names = await list(file);
      const size = fs.statSync(file).size;
      console.log(`  ${target}: ${size.toLocaleString('en-US')} bytes (${(size / 1e6).toFixed(2)} MB; the budget is ${MAX_BYTES.toLocaleString('en-US')})`);
      if (size > MAX_BYTES) problems.push(`${size.toLocaleString('en-US')} bytes is over the ${MAX_BYTES.toLocaleString('en-US')}-byte budget`);
      for (const n of names) { const why = forbidden(n, target); if (why) problems.push(`${n}: ${why}`); }
      const have = new Set(names);
      for (const r of REQUIRED(target)) if (!have.has(r)) problems.push(`${r} is missing`);
      if (fs.existsSync(path.join(root, 'media', 'model', 'moby-gpt.onnx')) && !have.has('extension/media/model/moby-gpt.onnx')) problems.push('the bundled model is missing');
      if (!names.some((n) => n.startsWith(`extension/node_modules/@esbuild/${target}/`))) problems.push(`esbuild's ${target} binary is missing`);
      // Unzipped without its executable bit, esbuild cannot start and every check fails to bundle.
      const bin = `extension/node_modules/@esbuild/${target}/bin/esbuild`;
      if (!target.startsWith('win32') && have.has(bin) && !(modes.get(bin) & 0o100)) problems.push(`${bin} is not executable in the archive (mode ${modes.get(bin)?.toString(8)})`);
      // The course ships as one Brotli stream (src/core/course-pack.ts), not as a lessons/ folder: every lesson's
      // two texts must be in it, and no file the lesson contract does not allow.
      if (names.some((n) => n.startsWith('extension/lessons/'))) problems.push('a lessons/ folder ships beside lessons.pack');
      const pack = have.has('extension/lessons.pack') ? await readEntry(file, 'extension/lessons.pack') : undefined;
      if (pack) {
        const course = JSON.parse(zlib.brotliDecompressSync(pack).toString('utf8'));
        const files = Object.keys(course.files);
        for (const l of fs.readdirSync(path.join(root, 'lessons'))) {
          for (const t of ['lesson.md', 'lesson.zh-cn.md']) if (!files.includes(`${l}/${t}`)) problems.push(`lesson ${l}'s ${t} is not in lessons.pack`);
        }
        for (const f of files) { const why = forbidden(`extension/lessons/${f}`, target); if (why) problems.push(`lessons.pack: ${f}: ${why}`); }
        if (target === 'linux-x64') console.log(`  lessons.pack: ${files.length} files, ${pack.length.toLocaleString('en-US')} bytes (${Object.values(course.files).reduce((s, t) => s + Buffer.byteLength(t), 0).toLocaleString('en-US')} bytes of text)`);
      }
      if (!problems.length) console.log(`  ✔ ${target}: ${names.length} files, ${(size / 1e6).toFixed(2)} MB, only its own binaries`);
    }
    if (problems.length) { failed++; console.log(`  ✖ ${target}\n      ${problems.slice(0, 20).join('\n      ')}`); } else passed++;
  }
  return { passed, failed };
}
