#!/usr/bin/env node
// End-to-end tests of LLM Lab in a real VS Code (code-server 4.100.3 = VS Code 1.100.3), headless and offline.
//   node test/e2e/run.mjs --suite extension   the mocha suite (test/extension) inside the real extension host
//   node test/e2e/run.mjs --suite ui          the packaged .vsix, driven through the UI with playwright + chromium
//   node test/e2e/run.mjs --suite layout      the packaged .vsix: what the results panel draws, measured (layout.mjs)
//   node test/e2e/run.mjs --suite package     every platform's VSIX holds what it must and nothing else
//   node test/e2e/run.mjs --suite companion   the study companion through the UI (companion.mjs)
//   node test/e2e/run.mjs                     all five
// Needs: `bash test/e2e/setup.sh` (code-server, chromium), `node esbuild.mjs --tests` (extension suite) and
// `npm run package` (ui and layout suites). Screenshots and logs go to test-results/e2e/ (layout: test-results/layout/).
// Exit code 0 only when all passed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { chromium } from 'playwright-core';
import { companionTests } from './companion.mjs';
import { layoutTests } from './layout.mjs';
import { packageTests } from './package.mjs';
import { uiTests } from './ui.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const E2E_HOME = process.env.LLM_LAB_E2E_HOME ?? path.join(os.homedir(), '.cache', 'llm-lab-e2e');
const CODE_SERVER = path.join(E2E_HOME, 'cs', 'node_modules', '.bin', 'code-server');
const OUT = path.join(ROOT, 'test-results', 'e2e');
const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const suites = arg('--suite', 'package,extension,ui,layout,companion').split(',');
const T0 = Date.now();
const log = (...a) => console.error(`[e2e ${((Date.now() - T0) / 1000).toFixed(1).padStart(5)}s]`, ...a);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** A code-server with fresh state, on loopback only. Returns its URL and a stop function. */
async function startServer(name, { vsix } = {}) {
  const dir = fs.mkdtempSync(path.join(OUT, `${name}-server-`));
  const userData = path.join(dir, 'user-data'), extensions = path.join(dir, 'extensions');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true }); // --install-extension fails if it does not exist
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'update.mode': 'none',
    'security.workspace.trust.enabled': false, 'workbench.colorTheme': 'Default Dark Modern',
  }));
  // EXTENSIONS_GALLERY={} keeps the workbench from looking for a marketplace it cannot reach.
  const env = { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data') };
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
  if (vsix) {
    const r = spawnSync(CODE_SERVER, [...common, '--install-extension', vsix, '--force'], { env, encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`installing ${vsix} failed:\n${r.stdout}${r.stderr}`);
    log(`installed ${path.basename(vsix)}`);
  }
  const port = await freePort();
  const logFd = fs.openSync(path.join(dir, 'code-server.log'), 'w');
  const server = spawn(CODE_SERVER, ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', ...common], { env, detached: true, stdio: ['ignore', logFd, logFd] });
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (server.exitCode !== null) return;
    try { process.kill(-server.pid, 'SIGTERM'); } catch {}
    await new Promise((r) => { const t = setTimeout(r, 5000); server.once('exit', () => { clearTimeout(t); r(); }); });
    try { process.kill(-server.pid, 'SIGKILL'); } catch {}
  };
  for (let i = 0; i < 120; i++) {
    if (server.exitCode !== null) throw new Error(`code-server exited early; see ${dir}/code-server.log`);
    try { if ((await fetch(url + 'healthz')).ok) return { url, stop, host: `127.0.0.1:${port}` }; } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  await stop();
  throw new Error('code-server did not start within 60 s');
}

async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
    // Without the background-networking switches chromium keeps trying hosts this machine cannot reach.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

function workspace(name) {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), `llm-lab-e2e-${name}-`));
  return ws;
}

const pageUrl = (server, folder, payload) => `${server.url}?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

/** The mocha suite of test/extension inside the real extension host; its exit code decides. */
async function extensionSuite() {
  const tests = path.join(ROOT, 'out', 'test', 'extension', 'index.js');
  if (!fs.existsSync(tests)) throw new Error(`${tests} is missing: run \`node esbuild.mjs --tests\``);
  const server = await startServer('extension');
  const b = await browser();
  try {
    const page = await b.newPage({ viewport: { width: 1400, height: 900 } });
    const remote = (p) => `vscode-remote://${server.host}${p}`;
    const payload = [['extensionDevelopmentPath', remote(ROOT)], ['extensionTestsPath', remote(tests)], ['skipWelcome', 'true']];
    const lines = [];
    let done;
    const exited = new Promise((r) => (done = r));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      lines.push(`[${type}] ${line}`);
      if (/^\s*(✔|✓|\d+\) |[0-9]+ (passing|failing|passed)|LLM Lab|\s{2,}\S)/.test(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    await page.goto(pageUrl(server, workspace('ext'), payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    log('extension host tests running');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 300_000))]);
    fs.writeFileSync(path.join(OUT, 'extension-console.log'), lines.join('\n') + '\n');
    await page.screenshot({ path: path.join(OUT, 'extension-suite.png') }).catch(() => {});
    if (code === 'timeout') throw new Error('the extension host tests did not finish within 300 s');
    // The suite's own closing line ("N passed, M failed") gives the counts; the exit code decides.
    const counts = lines.map((l) => /(\d+) passed, (\d+) failed/.exec(l)).filter(Boolean).pop();
    const result = { passed: counts ? Number(counts[1]) : 0, failed: counts ? Number(counts[2]) : 0 };
    if (code !== 0 && result.failed === 0) result.failed = 1;
    return result;
  } finally {
    await b.close().catch(() => {});
    await server.stop();
  }
}

/** UI tests from the packaged .vsix (see ui.mjs), or the layout tests (layout.mjs) in a 1280 x 900 window. */
async function vsixSuite(name, tests, viewport = { width: 1400, height: 900 }) {
  // LLM_LAB_VSIX tests another package, e.g. an older build to show what a test catches.
  const vsix = process.env.LLM_LAB_VSIX ?? fs.readdirSync(path.join(ROOT, 'out')).filter((f) => f.endsWith('.vsix')).map((f) => path.join(ROOT, 'out', f))
    .find((f) => f.includes(`${process.platform}-${process.arch}`));
  if (!vsix) throw new Error('no .vsix for this platform in out/: run `npm run package`');
  const server = await startServer(name, { vsix });
  const b = await browser();
  const ws = workspace(name);
  try {
    const page = await b.newPage({ viewport });
    page.on('pageerror', (e) => log('page error:', String(e).slice(0, 200)));
    await page.goto(pageUrl(server, ws, [['skipWelcome', 'true']]), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    return await tests({ page, ws, root: ROOT, out: OUT, log });
  } finally {
    await b.close().catch(() => {});
    await server.stop();
  }
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  if (suites.some((s) => s !== 'package') && !fs.existsSync(CODE_SERVER)) throw new Error(`code-server is not installed at ${CODE_SERVER}: run \`bash test/e2e/setup.sh\``);
  let passed = 0, failed = 0;
  for (const suite of suites) {
    log(`suite ${suite}`);
    try {
      const run = {
        package: () => packageTests({ root: ROOT }), extension: extensionSuite, ui: () => vsixSuite('ui', uiTests),
        layout: () => vsixSuite('layout', layoutTests, { width: 1280, height: 900 }),
        companion: () => vsixSuite('companion', companionTests),
      }[suite];
      if (!run) throw new Error(`unknown suite ${suite}`);
      const r = await run();
      passed += r.passed;
      failed += r.failed;
      log(`suite ${suite}: ${r.passed} passed, ${r.failed} failed`);
    } catch (e) {
      failed++;
      log(`suite ${suite}: FAILED: ${e?.stack ?? e}`);
    }
  }
  console.log(`end-to-end tests: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

setTimeout(() => { log('overall time limit (20 min) reached'); process.exit(2); }, 20 * 60_000).unref();
main().catch((e) => { log(e?.stack ?? e); process.exit(2); });
