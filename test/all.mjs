// `npm test`: every test, in order: type check, build, package, unit tests, then the end-to-end tests.
//
// The end-to-end tests need a real VS Code, which test/e2e/setup.sh installs (Debian's chromium with apt-get,
// code-server from npm, its native modules compiled): minutes of downloads and a compile on a fresh machine. It
// needs nothing this project builds, so it runs in the background from the start, at a lower CPU priority, while
// the unit tests use the cores; its output is printed when it ends. The first step that fails ends the run with
// that step's exit code, once the setup has finished (it is never cut off halfway through an apt-get install).
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const started = Date.now();
const clock = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;

/** Runs a command with the terminal as its output; resolves to its exit code. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** The setup, in the background: its output kept, and printed when it ends. */
function background(script) {
  const out = [];
  const child = spawn('nice', ['-n', '10', 'bash', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => out.push(d));
  const done = new Promise((resolve) => {
    child.on('error', (e) => { out.push(Buffer.from(`${e.message}\n`)); resolve(1); });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
  return {
    done,
    output: () => Buffer.concat(out).toString(),
    signal: (sig) => { try { process.kill(-child.pid, sig); } catch { /* already gone */ } },
  };
}

const steps = [
  ['type check', 'npm', ['run', 'typecheck']],
  ['build', process.execPath, ['esbuild.mjs', '--tests']],
  ['package', 'npm', ['run', 'package']],
  ['unit tests', process.execPath, ['test/unit.mjs']],
];

console.log('[npm test] end-to-end setup (test/e2e/setup.sh) started in the background');
const setup = background('test/e2e/setup.sh');
// Ctrl-C reaches the foreground steps through the terminal; the setup runs in its own process group.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { setup.signal(sig); process.exit(130); });

/** Ends the run with `code`, after the setup has finished and its output is printed. */
async function finish(code, why) {
  if (why) console.error(`[npm test ${clock()}] ${why}`);
  const setupCode = await setup.done;
  process.stdout.write(setup.output());
  if (setupCode !== 0) console.error(`[npm test ${clock()}] the end-to-end setup failed (exit code ${setupCode})`);
  process.exit(code || setupCode);
}
for (const [name, cmd, args] of steps) {
  console.log(`[npm test ${clock()}] ${name}`);
  const code = await run(cmd, args);
  if (code !== 0) await finish(code, `${name} failed (exit code ${code}); waiting for the end-to-end setup to finish`);
}
console.log(`[npm test ${clock()}] waiting for the end-to-end setup`);
const setupCode = await setup.done;
process.stdout.write(setup.output());
if (setupCode !== 0) {
  console.error(`[npm test ${clock()}] the end-to-end setup failed (exit code ${setupCode})`);
  process.exit(setupCode);
}
console.log(`[npm test ${clock()}] end-to-end tests`);
const code = await run(process.execPath, ['test/e2e/run.mjs']);
console.log(`[npm test ${clock()}] done${code === 0 ? '' : `: the end-to-end tests failed (exit code ${code})`}`);
process.exit(code);
