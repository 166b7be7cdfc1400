/**
 * Learner code as an adversary: every attack below runs through the real runner process, and none may end in a
 * pass. Forged verdicts (patched built-ins, prototypes, the IPC channel, forged or early final messages, exits),
 * the answer key (imports, run-time reads, rewriting the checks), containment (memory outside the heap, child
 * processes, the environment, the network) and faults that must keep what they can and blame the right party.
 * Each test prints how long the run took to its result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInWorker, type RunOptions } from '../../src/harness/host';
import { RUNNER_MALLOC_TUNABLES } from '../../src/harness/sandbox';
import type { RunResult } from '../../src/core/grading/result';
import { FIXTURE_COURSE, WORKER, tempDir } from './helpers';

const CHECKS = path.join(FIXTURE_COURSE, '01-add', 'add.checks.ts');
const SOLUTION = path.join(FIXTURE_COURSE, '01-add', 'add.solution.ts');
const dir = tempDir('llm-lab-attacks-');

/** A learner file in its own lesson folder of a fresh exercise folder. */
function learner(name: string, source: string): string {
  const folder = path.join(dir, name.replace(/\W+/g, '-'), '01-add');
  require('node:fs').mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'add.ts');
  writeFileSync(file, source);
  return file;
}

async function check(file: string, opts: Partial<RunOptions> = {}, checksFile = CHECKS): Promise<RunResult> {
  const t0 = Date.now();
  const r = await runInWorker({ exerciseId: 'add/vectors', learnerFile: file, checksFile }, { workerPath: WORKER, timeoutMs: 8000, memoryMb: 512, ...opts });
  console.log(`  ${path.basename(path.dirname(path.dirname(file)))}: ${r.status}${r.error ? ` (${r.error.kind})` : ''} in ${Date.now() - t0} ms`);
  return r;
}

const TODO = `import { TODO } from '@llm-lab/kit';
export function addVectors(a: Float32Array, b: Float32Array): Float32Array { return TODO('addVectors'); }
`;

/** Nothing passes: no check, no run. */
function noPass(r: RunResult): void {
  assert.notEqual(r.status, 'passed');
  assert.deepEqual(r.checks.filter((c) => c.status === 'passed').map((c) => c.name), []);
}

// ----- forged verdicts ----------------------------------------------------------------------------------------

test('wrapping process.send so every outcome reads "passed" does not pass', async () => {
  const r = await check(learner('send-wrap', `${TODO}
const p = process as any;
const real = p.send;
p.send = (m: any, ...rest: any[]) => real.call(p, JSON.parse(JSON.stringify(m).replace(/"failed"|"error"/g, '"passed"')), ...rest);
`));
  noPass(r);
});

test('a hand-made "finished" message followed by reallyExit(0) does not pass', async () => {
  const r = await check(learner('fake-finished', `${TODO}
const p = process as any;
p.send({ type: 'finished', result: { exerciseId: 'add/vectors', file: '', status: 'passed', checks: [], logs: [], durationMs: 1 } });
p.reallyExit(0);
`));
  noPass(r);
  assert.match(r.error?.message ?? '', /process\.send is not available to exercise code/);
});

test('a forged message written straight to the IPC file descriptor is rejected as tampering', async () => {
  const r = await check(learner('fd-forgery', `${TODO}
declare const module: any;
const load = module.constructor._load;
const fs = load('fs'), v8 = load('v8');
const fake = { type: 'finished', result: { exerciseId: 'add/vectors', file: '', status: 'passed', checks: [], logs: [], durationMs: 1 } };
const body = v8.serialize(fake);
const frame = Buffer.alloc(4 + body.length);
frame.writeUInt32BE(body.length, 0);
body.copy(frame, 4);
for (const fd of [3, 4, 5]) { try { fs.writeSync(fd, frame); } catch {} }
`));
  noPass(r);
  assert.equal(r.error?.kind, 'tampered', JSON.stringify(r.error));
  assert.match(r.error?.message ?? '', /cannot be trusted.*without the runner's signature/);
});

test('replacing Promise.prototype.then, the Promise constructor, Number, JSON.stringify and Math.abs changes nothing', async () => {
  const checks = path.join(dir, 'async.checks.ts');
  writeFileSync(checks, `import { defineChecks, expectClose, t } from '@llm-lab/check';
export default defineChecks<typeof import('./fixture')>({
  exports: ['addVectors'],
  checks: [
    { name: t('async: adds', '异步：相加'), task: 'addVectors', run: async (m) => { const out = await Promise.resolve().then(() => m.addVectors(Float32Array.of(1, 2), Float32Array.of(3, 4))); expectClose(out, [4, 6], { what: 'addVectors' }); } },
    { name: t('sync: adds', '同步：相加'), task: 'addVectors', run: (m) => expectClose(m.addVectors(Float32Array.of(1), Float32Array.of(1)), [2], { what: 'addVectors' }) },
  ],
});
`);
  writeFileSync(path.join(dir, 'fixture.ts'), TODO);
  const r = await check(learner('promise-and-globals', `import { TODO } from '@llm-lab/kit';
const g = globalThis as any;
for (const attack of [
  () => { Promise.prototype.then = function (this: any, ok: any) { return ok ? ok(undefined) : this; } as any; },
  () => { g.Promise = function () { return { then: (ok: any) => ok() }; }; },
  () => { g.Number = () => 0; },
  () => { JSON.stringify = () => '"passed"'; },
  () => { Math.abs = () => 0; },
  () => { g.Math = { abs: () => 0, max: () => 0 }; },
  () => { Object.defineProperty(Math, 'abs', { value: () => 0 }); },
]) { try { attack(); } catch {} }
export function addVectors(a: Float32Array, b: Float32Array): Float32Array { return new Float32Array(a.length); }
`), {}, checks);
  noPass(r);
  assert.equal(r.error, undefined, 'the patches failed quietly, so the checks ran on the real built-ins');
  assert.ok(r.checks.every((c) => c.status === 'failed'), JSON.stringify(r.checks.map((c) => c.message)));
});

test('a getter planted on Object.prototype is caught as tampering', async () => {
  const r = await check(learner('object-prototype', `${TODO}
Object.defineProperty(Object.prototype, 'status', { get() { return 'passed'; }, set() {}, configurable: true });
`));
  noPass(r);
  assert.equal(r.error?.kind, 'tampered');
  assert.match(r.error?.message ?? '', /Object\.prototype\.status was added/);
});

test('a patched typed array method is caught as tampering', async () => {
  const r = await check(learner('typed-array', `export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  (Float32Array.prototype as any).map = function () { return Float32Array.of(11, 22, 33); };
  return new Float32Array(a.length);
}
`));
  noPass(r);
  assert.equal(r.error?.kind, 'tampered');
  assert.match(r.error?.message ?? '', /Float32Array\.prototype\.map was added/);
});

test('a patch that puts itself back in a microtask is still caught', async () => {
  const r = await check(learner('self-restoring', `export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  const before = Object.getOwnPropertyDescriptor(Function.prototype, 'toString')!;
  Object.defineProperty(Function.prototype, 'toString', { value: () => 'patched', configurable: true, writable: true });
  queueMicrotask(() => Object.defineProperty(Function.prototype, 'toString', before));
  return a.map((x, i) => x + b[i]);
}
`));
  noPass(r);
  assert.equal(r.error?.kind, 'tampered');
});

test('the kit and Error.prepareStackTrace cannot be patched', async () => {
  const r = await check(learner('kit-patch', `import * as kit from '@llm-lab/kit';
const results: string[] = [];
for (const [name, attack] of [
  ['Tensor.prototype.add', () => { (kit.Tensor.prototype as any).add = () => 0; }],
  ['kit.TODO', () => { Reflect.set(kit, 'TODO', () => 0) || (() => { throw new TypeError('refused'); })(); }],
  ['prepareStackTrace', () => { (Error as any).prepareStackTrace = () => 'x'; }],
  ['stackTraceLimit', () => { Error.stackTraceLimit = 0; }],
] as [string, () => void][]) {
  try { attack(); results.push(name + ': no error'); } catch (e) { results.push(name + ': ' + (e as Error).constructor.name); }
}
console.log(results.join(' | '));
export function addVectors(a: Float32Array, b: Float32Array): Float32Array { return a.map((x, i) => x + b[i]); }
`));
  assert.equal(r.status, 'passed', JSON.stringify(r.error));
  assert.ok(typeof (require('../../src/kit') as { Tensor: { prototype: { add?: unknown } } }).Tensor.prototype !== 'undefined');
  // Whether the assignment threw or was ignored, the values are the frozen ones (checked by the passing run itself).
  assert.match(r.logs.join('\n'), /Tensor\.prototype\.add: (TypeError|no error)/);
});

test('process.exit, process.reallyExit, process.kill and process.abort are refused, with the learner\'s line', async () => {
  for (const call of ['process.exit(0)', '(process as any).reallyExit(0)', 'process.kill(process.pid)', 'process.kill(process.ppid)', 'process.abort()']) {
    const r = await check(learner(`exit-${call}`, `export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  ${call};
  return a.map((x, i) => x + b[i]);
}
`));
    noPass(r);
    assert.equal(r.checks[0].location?.line, 2, `${call}: ${JSON.stringify(r.checks[0])}`);
  }
});

// ----- the answer key ---------------------------------------------------------------------------------------

test('importing the reference solution is refused when bundling', async () => {
  const r = await check(learner('import-solution', `export * from ${JSON.stringify(SOLUTION.replace(/\.ts$/, ''))};\n`));
  noPass(r);
  assert.equal(r.error?.kind, 'syntax');
  assert.match(r.error?.message ?? '', /your file imports .*add\.solution\.ts: an exercise may import only your own files/);
});

test('reading the solution or the checks at run time, or rewriting the checks, is denied', async () => {
  const before = readFileSync(CHECKS, 'utf8');
  const r = await check(learner('read-solution', `declare const module: any;
const fs = module.constructor._load('fs');
const attempts: string[] = [];
for (const [what, f] of [
  ['read solution', () => fs.readFileSync(${JSON.stringify(SOLUTION)}, 'utf8')],
  ['read checks', () => fs.readFileSync(${JSON.stringify(CHECKS)}, 'utf8')],
  ['write checks', () => fs.writeFileSync(${JSON.stringify(CHECKS)}, 'export default {}')],
  ['list lessons', () => fs.readdirSync(${JSON.stringify(FIXTURE_COURSE)})],
  ['read home', () => fs.readdirSync(${JSON.stringify(process.env.HOME ?? '/root')})],
] as [string, () => unknown][]) {
  try { f(); attempts.push(what + ': allowed'); } catch (e) { attempts.push(what + ': ' + ((e as any).code ?? (e as Error).message)); }
}
console.log(attempts.join(' | '));
export function addVectors(a: Float32Array, b: Float32Array): Float32Array { return new Float32Array(a.length); }
`));
  noPass(r);
  assert.equal(readFileSync(CHECKS, 'utf8'), before, 'the checks file is unchanged');
  const log = r.logs.join('\n');
  assert.doesNotMatch(log, /allowed/, log);
  assert.match(log, /read solution: ERR_ACCESS_DENIED/);
  assert.match(log, /write checks: ERR_ACCESS_DENIED/);
});

test('the course layer is not importable and not readable from learner code', async () => {
  const course = path.join(path.dirname(WORKER), 'course', 'attention.js');
  const r = await check(learner('course-read', `declare const module: any;
let read = 'allowed';
try { module.constructor._load('fs').readFileSync(${JSON.stringify(course)}); } catch (e) { read = (e as any).code; }
console.log('course read: ' + read);
export function addVectors(a: Float32Array, b: Float32Array): Float32Array { return a.map((x, i) => x + b[i]); }
`));
  assert.match(r.logs.join('\n'), /course read: ERR_ACCESS_DENIED/);
});

// ----- containment --------------------------------------------------------------------------------------------

test('typed arrays outside the heap are stopped at the memory limit, named as memory, within seconds', async () => {
  const t0 = Date.now();
  const r = await check(learner('arraybuffers', `const keep: Float32Array[] = [];
export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < 200; i++) { const x = new Float32Array(2.5e6); x.fill(1); keep.push(x); } // 2 GB in 10 MB pieces
  return a;
}
`), { memoryMb: 256, timeoutMs: 30_000 });
  const ms = Date.now() - t0;
  noPass(r);
  assert.equal(r.error?.kind, 'out-of-memory', JSON.stringify(r.error));
  assert.match(r.error?.message ?? '', /used more than 256 MB of memory \(measured \d+ MB, arrays and buffers included\)/);
  const measured = Number(/measured (\d+) MB/.exec(r.error?.message ?? '')?.[1]);
  console.log(`  stopped after ${ms} ms at a measured peak of ${measured} MB (limit 256 MB)`);
  assert.ok(ms < 10_000, `took ${ms} ms`);
  assert.ok(measured < 256 + 600, `peak ${measured} MB`);
  assert.equal(r.checks[0].location?.line, 2, 'the failure points at the function being checked');
});

test('child processes cannot be started (sandboxed); the runner\'s environment is not the editor\'s', async () => {
  process.env.LLM_LAB_TEST_SECRET = 'do-not-leak';
  try {
    const r = await check(learner('spawn', `declare const module: any;
const out: string[] = [];
try { module.constructor._load('child_process').spawn('sleep', ['30']); out.push('spawned'); } catch (e) { out.push('spawn: ' + (e as any).code); }
try { require('child_process'); out.push('required'); } catch (e) { out.push('require: ' + (e as Error).message.slice(0, 40)); }
try { require('net'); out.push('net'); } catch (e) { out.push('net: ' + (e as Error).message.slice(0, 40)); }
out.push('env: ' + Object.keys(process.env).join(','));
out.push('secret: ' + (process.env.LLM_LAB_TEST_SECRET ?? 'none'));
out.push('malloc: ' + (process.env.GLIBC_TUNABLES ?? 'none'));
console.log(out.join(' | '));
export function addVectors(a: Float32Array, b: Float32Array): Float32Array { return a.map((x, i) => x + b[i]); }
`));
    const log = r.logs.join('\n');
    assert.match(log, /spawn: ERR_ACCESS_DENIED/);
    assert.match(log, /require: your code may not use the 'child_process/);
    assert.match(log, /net: your code may not use the 'net' module/);
    assert.match(log, /secret: none/);
    // Its own malloc settings (sandbox.ts), on Linux.
    if (process.platform === 'linux') assert.ok(log.includes(`malloc: ${RUNNER_MALLOC_TUNABLES}`), log);
  } finally {
    delete process.env.LLM_LAB_TEST_SECRET;
  }
});

test('the network is loopback only: fetch and connections elsewhere fail, http gives a server that listens on 127.0.0.1 only', async () => {
  // The serving lesson's learners write an HTTP server: \`http\` is theirs, cut down to createServer, and every
  // listen and connection in the runner stays on this machine. A server left listening does not outlive the run.
  const waiting = path.join(dir, 'network.checks.ts');
  writeFileSync(waiting, `import { defineChecks, expectClose, t } from '@llm-lab/check';
export default defineChecks<{ addVectors(a: Float32Array, b: Float32Array): Promise<Float32Array> }>({
  exports: ['addVectors'],
  checks: [{ name: t('adds', '相加'), task: 'addVectors', run: async (m) => expectClose(await m.addVectors(Float32Array.of(1), Float32Array.of(2)), [3], { what: 'addVectors' }) }],
});
`);
  const r = await check(learner('network', `import * as http from 'node:http';
const out: string[] = [];
const tryIt = async (name: string, f: () => unknown) => {
  try { await f(); out.push(name + ': ok'); } catch (e) { const c = (e as any).cause?.message; out.push(name + ': ' + (c ? c : ((e as Error).message ?? String(e))).slice(0, 160)); }
};
const main = async () => {
  out.push('client: ' + ['request', 'get', 'Agent'].filter((k) => k in http).join(','));
  await tryIt('fetch', () => fetch('http://192.0.2.1/'));
  await tryIt('wide', () => http.createServer().listen(0, '0.0.0.0'));
  await tryIt('pipe', () => http.createServer().listen('/tmp/llm-lab-pipe'));
  const s = http.createServer((req, res) => res.end('hi from ' + req.url));
  await new Promise<void>((resolve) => s.listen(0, () => resolve()));
  const addr = s.address() as { address: string; port: number };
  out.push('bound: ' + addr.address);
  await tryIt('local', async () => { const t = await (await fetch('http://127.0.0.1:' + addr.port + '/x')).text(); out.push('got: ' + t); });
  await tryIt('patch', () => {
    try { (Object.getPrototypeOf(Object.getPrototypeOf(s)) as any).listen = () => 0; } catch { /* strict code throws here */ }
    return http.createServer().listen(0, '0.0.0.0');
  });
  console.log(out.join(' | '));
};
export const ready = main();
export async function addVectors(a: Float32Array, b: Float32Array): Promise<Float32Array> { await ready; return a.map((x, i) => x + b[i]); }
`), {}, waiting);
  const log = r.logs.join('\n');
  console.log('  ' + log);
  assert.match(log, /client: {2}\|/, 'no HTTP client in the learner\'s http');
  assert.match(log, /fetch: connect to '192\.0\.2\.1': code checked by LLM Lab may only use the network on this machine's loopback/);
  assert.match(log, /wide: listen on '0\.0\.0\.0': code checked by LLM Lab may only use the network on this machine's loopback/);
  assert.match(log, /pipe: listen on the pipe/);
  assert.match(log, /bound: 127\.0\.0\.1/);
  assert.match(log, /got: hi from \/x/);
  assert.match(log, /patch: listen on '0\.0\.0\.0': code checked/, 'the guard cannot be assigned away');
  assert.equal(r.status, 'passed', 'the learner\'s own loopback server does not stop the checks');
});

test('without the permission model, a forked, a detached and a grandchild process are gone after the check', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const checks = path.join(dir, 'spawn.checks.ts');
  writeFileSync(checks, `import { defineChecks, t } from '@llm-lab/check';
export default defineChecks<{ addVectors(a: Float32Array, b: Float32Array): Promise<unknown> }>({
  exports: ['addVectors'],
  checks: [{ name: t('waits for the learner', '等待学习者的代码'), task: 'addVectors', run: async (m) => { await m.addVectors(new Float32Array(1), new Float32Array(1)); } }],
});
`);
  const r = await check(learner('children', `declare const module: any;
const cp = module.constructor._load('child_process');
export async function addVectors(a: Float32Array, b: Float32Array): Promise<Float32Array> {
  const kids = [
    cp.spawn('sleep', ['60']),
    cp.spawn('sleep', ['61'], { detached: true, stdio: 'ignore' }),
    cp.spawn('sh', ['-c', 'sleep 62 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] }),
  ];
  const grandchild: string = await new Promise((res) => kids[2].stdout.once('data', (d: Buffer) => res(String(d).trim())));
  console.log('pids ' + [kids[0].pid, kids[1].pid, kids[2].pid, grandchild].join(' '));
  return a;
}
`), { unsandboxed: true }, checks);
  const pids = (/pids ([\d ]+)/.exec(r.logs.join('\n'))?.[1] ?? '').split(' ').map(Number).filter(Boolean);
  assert.equal(pids.length, 4, JSON.stringify(r));
  // A killed process may linger as a zombie until it is reaped: that is gone too (state Z in /proc).
  const running = (pid: number) => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
  let alive = pids;
  for (let i = 0; i < 20 && alive.length; i++) {
    await new Promise((res) => setTimeout(res, 100));
    alive = alive.filter(running);
  }
  assert.deepEqual(alive, [], `still running: ${alive.join(', ')}`);
});

// ----- faults that keep what they can -------------------------------------------------------------------------

test('strange thrown values become one check\'s clear error; the other checks keep their results', async () => {
  const values = ['Object.create(null)', '{ toString() { throw new Error("no"); } }', 'new Proxy({}, { get() { throw new Error("trap"); } })',
    'Object.defineProperty(new Error("e"), "stack", { get() { throw new Error("stack"); } })', 'Symbol("s")', 'undefined'];
  for (const v of values) {
    const r = await check(learner(`throw-${v}`, `let n = 0;
export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  if (++n === 1) throw ${v};
  return a.map((x, i) => x + b[i]);
}
`));
    assert.equal(r.error, undefined, `${v}: ${JSON.stringify(r.error)}`);
    assert.equal(r.checks[0].status, 'error', v);
    assert.match(r.checks[0].message ?? '', /addVectors\(\) threw/, v);
    assert.equal(r.checks[1].status, 'passed', `${v}: ${r.checks[1].message}`);
  }
});

test('an error thrown in a timer, or an unhandled rejection, is the running check\'s error with the learner\'s line', async () => {
  const checks = path.join(dir, 'wait.checks.ts');
  writeFileSync(checks, `import { defineChecks, t } from '@llm-lab/check';
export default defineChecks<typeof import('./fixture')>({
  exports: ['addVectors'],
  checks: [
    { name: t('calls and waits', '调用并等待'), task: 'addVectors', run: async (m) => { m.addVectors(new Float32Array(1), new Float32Array(1)); await new Promise((r) => setTimeout(r, 50)); } },
    { name: t('plain', '普通'), run: () => undefined },
  ],
});
`);
  for (const [name, code, says] of [
    ['timer', `setTimeout(() => { throw new Error('late'); }, 1);`, /an error was thrown in a timer or callback your code scheduled: .*late/],
    ['rejection', `Promise.reject(new Error('nobody catches me'));`, /a promise your code created was rejected and nothing caught it: .*nobody catches me/],
  ] as const) {
    const r = await check(learner(`stray-${name}`, `export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  ${code}
  return a;
}
`), {}, checks);
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.notEqual(r.checks[0].status, 'passed');
    assert.match(r.checks[0].message ?? '', says);
    assert.equal(r.checks[1].status, 'passed', 'the next check is unaffected');
  }
});

test('100,000 lines of output are capped at the source, with a note of what was dropped', async () => {
  const r = await check(learner('flood', `export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  for (let i = 0; i < 100000; i++) console.log('line ' + i + ' ' + 'x'.repeat(100));
  for (let i = 0; i < 1000; i++) process.stdout.write('raw ' + i + '\\n');
  return a.map((x, i) => x + b[i]);
}
`));
  assert.equal(r.status, 'passed');
  assert.ok(r.logs.length <= 201, `${r.logs.length} lines kept`);
  assert.ok(r.logs.join('\n').length <= 64 * 1024 + 200);
  assert.match(r.logs[r.logs.length - 1], /output beyond 200 lines or 64 KB was dropped/);
});

// ----- the installation's problems are not the learner's ---------------------------------------------------

test('a missing or truncated model file is a setup error that names the file, not a failure at the learner\'s line', async () => {
  const { loadCatalog, findExercise } = await import('../../src/core/lessons/catalog');
  const { solutionFolder, prerequisiteFiles } = await import('../../src/core/workspace');
  const { checkId } = await import('../../src/core/grading/define');
  const catalog = await loadCatalog(path.join(FIXTURE_COURSE, '..', '..', '..', 'lessons'));
  const { exercise } = findExercise(catalog, 'attention/scaled-dot-product')!;
  const folder = path.join(dir, 'model-problems');
  const file = await solutionFolder(folder, catalog, exercise);
  const model = path.join(FIXTURE_COURSE, '..', '..', '..', 'media', 'model', 'moby-gpt.onnx');
  const truncated = path.join(dir, 'truncated.onnx');
  writeFileSync(truncated, readFileSync(model).subarray(0, 100_000));
  const only = [checkId('the bundled model: your attention reproduces every layer and head')];
  for (const [label, target, says] of [['truncated', truncated, /corrupt or truncated/], ['missing', path.join(dir, 'nope.onnx'), /missing or unreadable/]] as const) {
    process.env.LLM_LAB_MODEL = target;
    try {
      const r = await runInWorker({ exerciseId: exercise.id, learnerFile: file, checksFile: exercise.checks, only, prerequisites: prerequisiteFiles(folder, catalog, exercise) },
        { workerPath: WORKER, timeoutMs: 20_000, memoryMb: 1024 });
      assert.equal(r.error?.kind, 'setup', `${label}: ${JSON.stringify(r.error)}`);
      assert.match(r.error?.message ?? '', /the bundled model cannot be used \(a problem with the installation, not your code\)/);
      assert.match(r.error?.message ?? '', says);
      assert.ok(r.error?.message.includes(target), 'the message names the file');
    } finally {
      delete process.env.LLM_LAB_MODEL;
    }
  }
});

test('a model file with one flipped byte does not match its model card', async () => {
  const { checkAgainstCard } = await import('../../src/model/shipped');
  const model = path.join(FIXTURE_COURSE, '..', '..', '..', 'media', 'model', 'moby-gpt.onnx');
  const bytes = new Uint8Array(readFileSync(model));
  checkAgainstCard(bytes, model); // the shipped file matches
  bytes[bytes.length >> 1] ^= 1;
  assert.throws(() => checkAgainstCard(bytes, model), /is not the one its model card describes .*reinstall LLM Lab/);
});
