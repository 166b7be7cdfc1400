/** The rules the package suite applies to every VSIX entry: what may ship for which platform. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbidden } from '../e2e/package.mjs';

test('what ships: the extension, the course, and this platform’s binaries', () => {
  for (const ok of ['extension/dist/extension.js', 'extension/lessons/01-tensors/basics.ts', 'extension/dist/types/src/kit/index.d.ts',
    'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1', 'extension/node_modules/@esbuild/linux-x64/bin/esbuild',
    'extension/media/model/moby-gpt.onnx', '[Content_Types].xml']) {
    assert.equal(forbidden(ok, 'linux-x64'), undefined, ok);
  }
  // Intel Macs get the last onnxruntime release built for them, whose binding loads the versioned library.
  assert.equal(forbidden('extension/node_modules/onnxruntime-node/bin/napi-v6/darwin/x64/libonnxruntime.1.23.2.dylib', 'darwin-x64'), undefined);
});

test('what never ships: sources, tests, maps, other platforms, unused libraries and dependencies', () => {
  const cases: [string, string, RegExp][] = [
    ['extension/src/extension.ts', 'linux-x64', /development file/],
    ['extension/test/unit/cli.test.ts', 'linux-x64', /development file/],
    ['extension/dist/extension.js.map', 'linux-x64', /source map/],
    ['extension/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/libonnxruntime.1.dylib', 'linux-x64', /onnxruntime for darwin-arm64/],
    ['extension/node_modules/@esbuild/win32-x64/esbuild.exe', 'linux-x64', /esbuild for win32-x64/],
    ['extension/node_modules/onnxruntime-node/bin/napi-v6/win32/x64/DirectML.dll', 'win32-x64', /CPU provider does not load/],
    ['extension/node_modules/adm-zip/adm-zip.js', 'linux-x64', /unneeded dependency/],
    ['extension/media/screenshots/lesson.png', 'linux-x64', /repository-only/],
    ['extension/tsconfig.json', 'linux-x64', /development file/],
    ['extension/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64/libonnxruntime.1.30.0.dylib', 'darwin-arm64', /duplicate/],
    ['extension/node_modules/onnxruntime-node/bin/napi-v6/darwin/x64/libonnxruntime.1.dylib', 'darwin-x64', /does not load/],
  ];
  for (const [name, target, why] of cases) assert.match(forbidden(name, target) ?? 'allowed', why, name);
});

test('every webview panel the extension restores after a reload activates it (onWebviewPanel), or it comes back blank', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const path = await import('node:path');
  const root = path.join(__dirname, '..', '..');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { activationEvents: string[] };
  const sources = (readdirSync(path.join(root, 'src', 'vscode'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(root, 'src', 'vscode', f), 'utf8')).join('\n');
  const restored = [...sources.matchAll(/registerWebviewPanelSerializer\((\w+)/g)].map((m) => m[1]);
  assert.ok(restored.length >= 3, `found ${restored.length} serializers`);
  for (const name of restored) {
    const viewType = new RegExp(`export const ${name} = '([^']+)'`).exec(sources)?.[1];
    assert.ok(viewType, `${name} is declared as a string constant`);
    assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${viewType}`), `activationEvents lacks onWebviewPanel:${viewType}`);
  }
});
