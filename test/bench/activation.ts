/**
 * Activation cost of the extension: loading dist/extension.js and running activate() with a stand-in of the
 * `vscode` API, in a fresh Node process each time (so module loading is counted), and which heavy modules
 * got loaded by it (none of onnxruntime-node, esbuild, the Markdown renderer may be). Target: <= 50 ms.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { percentile } from './check-latency';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs in the child: a `vscode` stand-in rich enough for activate(), then timing and the list of loaded modules. */
const PROBE = String.raw`
const Module = require('module');
const path = require('path');
const noop = () => ({ dispose() {} });
const emitter = class { constructor() { this.event = () => ({ dispose() {} }); } fire() {} dispose() {} };
// Anything not stubbed below answers with another callable stand-in; settings answer with their defaults.
const overrides = {
  'vscode.workspace.getConfiguration()': { get: (_k, d) => d, has: () => false, inspect: () => undefined },
  'vscode.workspace.workspaceFolders': undefined, 'vscode.workspace.isTrusted': true, 'vscode.workspace.textDocuments': [],
  'vscode.window.visibleTextEditors': [], 'vscode.window.activeTextEditor': undefined, 'vscode.env.language': 'en',
};
const proxy = (name) => new Proxy(function () {}, {
  get: (_t, k) => {
    const key = name + '.' + String(k);
    if (key in overrides) return overrides[key];
    return k === 'then' ? undefined : (k === Symbol.toPrimitive ? () => name : proxy(key));
  },
  apply: () => (name + '()') in overrides ? overrides[name + '()'] : proxy(name + '()'), construct: () => proxy('new ' + name), set: () => true, defineProperty: () => true,
});
// esbuild's interop copies the module's own keys, so the stand-in is a plain object with every name the extension uses.
const names = ['window', 'workspace', 'commands', 'languages', 'tests', 'env', 'extensions', 'ThemeIcon', 'ThemeColor', 'TreeItem',
  'TreeItemCollapsibleState', 'MarkdownString', 'Range', 'Position', 'Selection', 'ViewColumn', 'ProgressLocation', 'StatusBarAlignment',
  'CodeLens', 'Diagnostic', 'DiagnosticSeverity', 'TestMessage', 'TestRunProfileKind', 'TestRunRequest', 'Location', 'RelativePattern',
  'ConfigurationTarget', 'CancellationTokenSource', 'TextEditorRevealType', 'version'];
const vscode = Object.fromEntries(names.map((n) => [n, proxy('vscode.' + n)]));
Object.assign(vscode, {
  EventEmitter: emitter, l10n: { t: (s) => s },
  Disposable: class { constructor(f) { this.f = f; } dispose() {} static from() { return { dispose() {} }; } },
  Uri: { file: (p) => ({ fsPath: p, path: p, toString: () => 'file://' + p }), joinPath: (u, ...p) => ({ fsPath: path.join(u.fsPath, ...p) }), parse: (s) => ({ fsPath: s }) },
});
const load = Module._load;
Module._load = function (request, parent, isMain) { return request === 'vscode' ? vscode : load.call(this, request, parent, isMain); };
const root = process.argv[1];
const t0 = process.hrtime.bigint();
const ext = require(path.join(root, 'dist', 'extension.js'));
const subscriptions = [];
const memento = { get: (_k, d) => d, update: async () => {}, keys: () => [] };
// Where a packaged extension unpacks its course (a development tree reads lessons/ in place).
const storage = path.join(require('os').tmpdir(), 'llm-lab-bench-activation');
ext.activate({ subscriptions, extension: { id: 'llm-lab.llm-lab' }, extensionUri: { fsPath: root, path: root }, extensionPath: root,
  globalStorageUri: { fsPath: storage, path: storage }, globalState: memento, workspaceState: memento });
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const heavy = Object.keys(require.cache).filter((f) => /onnxruntime|node_modules[\\/]esbuild|dist[\\/](render|model)\.js/.test(f));
console.log(JSON.stringify({ ms, heavy }));
`;

export function benchActivation(runs = 20): Record<string, number> {
  const times: number[] = [];
  let heavy: string[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const r = spawnSync(process.execPath, ['-e', PROBE, ROOT], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`activation probe failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; heavy: string[] };
    if (i >= 2) times.push(out.ms);
    heavy = out.heavy;
  }
  times.sort((a, b) => a - b);
  const res = { p50_ms: percentile(times, 50), p95_ms: percentile(times, 95), heavy_modules_loaded: heavy.length };
  console.log(`activation (load dist/extension.js + activate(), ${runs} fresh processes): p50 ${res.p50_ms.toFixed(1)} ms, p95 ${res.p95_ms.toFixed(1)} ms; heavy modules loaded: ${heavy.length ? heavy.join(', ') : 'none'}; target p50 <= 50 ms`);
  return res;
}
