// For contributors with internet access: the same extension-host suite in a downloaded VS Code (Electron),
// through @vscode/test-electron. CI and offline machines use test/e2e/run.mjs (code-server) instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lab-electron-'));
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out', 'test', 'extension', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error('extension tests failed:', e);
  process.exit(1);
}
