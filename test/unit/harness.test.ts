/**
 * The runner process against every way learner code can go wrong: each fault must give a specific,
 * clear result that points at the learner's own line, and the next run must work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInWorker, type RunOptions } from '../../src/harness/host';
import type { RunResult } from '../../src/core/grading/result';
import { FIXTURE_COURSE, WORKER, tempDir } from './helpers';

const CHECKS = path.join(FIXTURE_COURSE, '01-add', 'add.checks.ts');
const dir = tempDir();

function learner(name: string, source: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

function check(file: string, opts: Partial<RunOptions> = {}): Promise<RunResult> {
  return runInWorker({ exerciseId: 'add/vectors', learnerFile: file, checksFile: CHECKS }, { workerPath: WORKER, timeoutMs: 5000, memoryMb: 256, ...opts });
}

const correct = `export function addVectors(a: Float32Array, b: Float32Array) {
  return a.map((x, i) => x + b[i]);
}
`;

test('a correct implementation in another style passes every check', async () => {
  const r = await check(learner('ok.ts', correct));
  assert.equal(r.status, 'passed', JSON.stringify(r.error ?? r.checks));
  assert.deepEqual(r.checks.map((c) => c.status), ['passed', 'passed']);
});

test('a syntax error is reported with its line, and no check runs', async () => {
  const file = learner('syntax.ts', `export function addVectors(a: Float32Array, b: Float32Array) {\n  return a.map((x, i) => x + b[i];\n}\n`);
  const r = await check(file);
  assert.equal(r.status, 'error');
  assert.equal(r.error?.kind, 'syntax');
  assert.match(r.error!.message, /does not compile/);
  assert.equal(r.error?.location?.file, file);
  assert.equal(r.error?.location?.line, 2);
});

test('a function declared but not exported is named, with the fix', async () => {
  const file = learner('noexport.ts', `\nfunction addVectors(a: Float32Array, b: Float32Array) { return a; }\nexport const other = 1;\n`);
  const r = await check(file);
  assert.equal(r.error?.kind, 'missing-export');
  assert.match(r.error!.message, /must export `addVectors`; it exports other\. It is declared but not exported/);
  assert.equal(r.error?.location?.line, 2);
});

test('an exception inside the learner function points at the throwing line', async () => {
  const file = learner('throws.ts', `export function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  const missing = undefined as unknown as { x: number };
  out[0] = missing.x;
  return out;
}
`);
  const r = await check(file);
  assert.equal(r.status, 'failed');
  const c = r.checks[0];
  assert.equal(c.status, 'error');
  assert.match(c.message!, /^addVectors\(\) threw TypeError: Cannot read properties of undefined/);
  assert.equal(c.location?.file, file);
  assert.equal(c.location?.line, 4);
  assert.match(c.stack!, /throws\.ts:4:/);
});

test('a wrong return type gets a plain explanation', async () => {
  const r = await check(learner('undef.ts', `export function addVectors(a: Float32Array, b: Float32Array): any {\n  a.map((x, i) => x + b[i]);\n}\n`));
  assert.match(r.checks[0].message!, /returned undefined, expected a number or a tensor.*forget to `return`/);
  const s = await check(learner('str.ts', `export function addVectors(): any { return 'eleven'; }\n`));
  assert.match(s.checks[0].message!, /returned a string \(eleven\)/);
});

test('NaN where a number belongs fails and says so; NaN is never equal to a number', async () => {
  const r = await check(learner('nan.ts', `export function addVectors(a: Float32Array) { return a.map(() => NaN); }\n`));
  assert.equal(r.checks[0].status, 'failed');
  assert.match(r.checks[0].message!, /addVectors\(a, b\)\[0\] is NaN, expected 11 \(NaN/);
  assert.deepEqual(r.checks[0].firstDifference?.index, [0]);
});

test('a wrong shape is reported before any value', async () => {
  const r = await check(learner('shape.ts', `export function addVectors(a: Float32Array, b: Float32Array) { return a.subarray(0, 2).map((x, i) => x + b[i]); }\n`));
  assert.match(r.checks[0].message!, /has shape \[2\], expected \[3\]/);
});

test('a known mistake is recognised and named', async () => {
  const r = await check(learner('sub.ts', `export function addVectors(a: Float32Array, b: Float32Array) { return a.map((x, i) => x - b[i]); }\n`));
  const [named, ...rest] = r.checks[0].message!.split('\n');
  assert.equal(named, 'you subtracted b from a instead of adding');
  // Plain numbers cannot be traced line by line: the failure says which function differs, and that it could not.
  assert.deepEqual(rest, ["`addVectors` (line 1) gives a different result from the reference solution's on the same input, and it is the smallest "
    + 'function this check called that does. It computes without kit tensors, so the line inside it could not be traced.']);
  assert.equal(r.checks[0].location?.line, 1);
});

test('process.exit() in learner code is caught and explained', async () => {
  const r = await check(learner('exit.ts', `export function addVectors(): Float32Array { process.exit(0); }\n`));
  assert.equal(r.checks[0].status, 'error');
  assert.match(r.checks[0].message!, /called process\.exit\(0\): return a value instead/);
  assert.equal(r.checks[0].location?.line, 1);
});

test('a process that tries to kill itself is refused, keeping finished checks', async () => {
  const file = learner('kill.ts', `let n = 0;\nexport function addVectors(a: Float32Array, b: Float32Array) {\n  if (++n === 2) process.kill(process.pid, 'SIGKILL');\n  return a.map((x, i) => x + b[i]);\n}\n`);
  const r = await check(file);
  assert.equal(r.error, undefined);
  assert.equal(r.checks[0].status, 'passed');
  assert.equal(r.checks[1].status, 'error');
  assert.match(r.checks[1].message ?? '', /process\.kill is not available to exercise code/);
  assert.equal(r.checks[1].location?.line, 3);
});

test('an infinite loop times out, names the check, and the next run works', async () => {
  const file = learner('loop.ts', `export function addVectors(a: Float32Array): Float32Array {\n  while (true) {}\n}\n`);
  const r = await check(file, { timeoutMs: 1500 });
  assert.equal(r.error?.kind, 'timeout');
  assert.match(r.error!.message, /timed out after 1\.5 s: an infinite loop\?/);
  assert.equal(r.checks[0].status, 'error');
  assert.equal(r.checks[0].location?.line, 1);
  assert.equal(r.checks[1].status, 'skipped');
  const again = await check(learner('ok2.ts', correct));
  assert.equal(again.status, 'passed');
});

test('running out of memory is reported as such', async () => {
  const file = learner('oom.ts', `export function addVectors(): Float32Array {\n  const keep: number[][] = [];\n  for (;;) keep.push(new Array(1e6).fill(1.5));\n}\n`);
  const r = await check(file, { memoryMb: 64, timeoutMs: 20000 });
  assert.equal(r.error?.kind, 'out-of-memory', JSON.stringify(r.error));
  assert.match(r.error!.message, /used more than 64 MB of memory|ran out of memory/);
});

test('top-level code that throws is reported as a load error with its line', async () => {
  const file = learner('toplevel.ts', `export function addVectors(a: Float32Array) { return a; }\nthrow new Error('boom');\n`);
  const r = await check(file);
  assert.equal(r.error?.kind, 'load');
  assert.match(r.error!.message, /threw while loading .*boom/);
  assert.equal(r.error?.location?.line, 2);
});

test('console output of learner code is captured', async () => {
  const r = await check(learner('log.ts', `export function addVectors(a: Float32Array, b: Float32Array) {\n  console.log('adding', a.length);\n  return a.map((x, i) => x + b[i]);\n}\n`));
  assert.equal(r.status, 'passed');
  assert.deepEqual(r.logs.slice(0, 1), ['adding 3']);
});

test('a cancelled run stops at once', async () => {
  const ac = new AbortController();
  const started = Date.now();
  const p = check(learner('loop2.ts', `export function addVectors(): Float32Array { for (;;) {} }\n`), { signal: ac.signal, timeoutMs: 60000 });
  setTimeout(() => ac.abort(), 300);
  const r = await p;
  assert.equal(r.error?.kind, 'cancelled');
  assert.ok(Date.now() - started < 5000);
});

test('events arrive in order: ready, plan, started/finished per check, finished', async () => {
  const events: string[] = [];
  await check(learner('ok3.ts', correct), { onEvent: (e) => events.push(e.type) });
  assert.deepEqual(events, ['ready', 'plan', 'check-started', 'check-finished', 'check-started', 'check-finished', 'finished']);
});

test('a lesson whose checks do not compile is a setup error, not the learner\'s fault', async () => {
  const checks = path.join(dir, 'broken.checks.ts');
  writeFileSync(checks, 'export default {\n');
  const r = await runInWorker({ exerciseId: 'add/vectors', learnerFile: learner('ok4.ts', correct), checksFile: checks }, { workerPath: WORKER, timeoutMs: 5000, memoryMb: 256 });
  assert.equal(r.error?.kind, 'setup');
  assert.match(r.error!.message, /the lesson's checks do not compile \(a bug in the lesson, not your code\)/);
});

test('a syntax error still reports the plan, so every check shows as not run', async () => {
  const events: string[] = [];
  const r = await check(learner('syntax2.ts', 'export const = 1;\n'), { onEvent: (e) => events.push(e.type) });
  assert.equal(r.error?.kind, 'syntax');
  assert.ok(events.includes('plan'));
  assert.ok(r.checks.length === 2 && r.checks.every((c) => c.status === 'skipped' && /^not run: your file does not compile/.test(c.message ?? '')));
});

test('a check with its own time budget may run longer, streams live artifacts, and keeps the last one', async () => {
  const checks = path.join(dir, 'long.checks.ts');
  writeFileSync(checks, `import { defineChecks, t } from '@llm-lab/check';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export default defineChecks<{ addVectors(a: Float32Array, b: Float32Array): Float32Array }>({
  exports: ['addVectors'],
  checks: [
    { name: t('a training run', '一次训练'), timeoutSeconds: 5, run: async (_m, ctx) => {
      const y: number[] = [];
      for (let step = 0; step < 8; step++) {
        y.push(1 / (step + 1));
        ctx.progress({ kind: 'curve', title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'train', x: y.map((_, i) => i), y: [...y] }] });
        await sleep(200);
      }
    } },
    { name: t('an ordinary check that takes too long', '一个太慢的普通检查'), run: async () => { await sleep(3000); } },
  ],
});
`);
  const events: { type: string; points?: number }[] = [];
  const r = await runInWorker({ exerciseId: 'add/vectors', learnerFile: learner('ok5.ts', correct), checksFile: checks }, {
    workerPath: WORKER, timeoutMs: 1000, memoryMb: 256,
    onEvent: (e) => events.push(e.type === 'check-progress' && e.artifact.kind === 'curve' ? { type: e.type, points: e.artifact.series[0].x.length } : { type: e.type }),
  });
  // The first check ran 1.6 s under a 1 s limit because it asked for 5 s; the second had only the 1 s.
  assert.equal(r.checks[0].status, 'passed', JSON.stringify(r.checks[0]));
  assert.equal(r.checks[1].status, 'error');
  assert.equal(r.error?.kind, 'timeout');
  assert.match(r.error!.message, /timed out after 1 s/);
  const live = events.filter((e) => e.type === 'check-progress');
  assert.ok(live.length >= 4, `expected live updates, got ${live.length}`);
  assert.ok(live.every((e, i) => i === 0 || e.points! > live[i - 1].points!), 'each update carries more points');
  // The result keeps the final state of the live curve, all eight points, even if the last update was coalesced.
  const kept = r.checks[0].artifacts.find((a) => a.title === 'loss');
  assert.equal(kept?.kind, 'curve');
  assert.equal(kept?.kind === 'curve' ? kept.series[0].x.length : 0, 8);
});

const SCALE = path.join(FIXTURE_COURSE, '02-scale');
const scaleRequest = (file: string, extra: Partial<Parameters<typeof runInWorker>[0]> = {}) =>
  runInWorker({ exerciseId: 'scale/sum', learnerFile: file, checksFile: path.join(SCALE, 'scale.checks.ts'), ...extra },
    { workerPath: WORKER, timeoutMs: 5000, memoryMb: 256 });

/** A learner folder with lesson 1's solution as the learner's add.ts, and `scale` as 02-scale/scale.ts. */
function scaleFolder(name: string, scale: string): { folder: string; file: string } {
  const folder = path.join(dir, name);
  mkdirSync(path.join(folder, '01-add'), { recursive: true });
  mkdirSync(path.join(folder, '02-scale'), { recursive: true });
  copyFileSync(path.join(FIXTURE_COURSE, '01-add', 'add.solution.ts'), path.join(folder, '01-add', 'add.ts'));
  writeFileSync(path.join(folder, '02-scale', 'scale.ts'), scale);
  return { folder, file: path.join(folder, '02-scale', 'scale.ts') };
}

const countingScale = `import { addVectors } from '../01-add/add';
let calls = 0;
export function scaleSum(a: Float32Array, b: Float32Array, s: number) {
  calls++;
  console.log('scaleSum call ' + calls);
  return addVectors(a, b).map((x) => x * s);
}
`;

test('only the named checks run; the others are skipped and say so; the run passes on what ran', async () => {
  const { file } = scaleFolder('only', countingScale);
  const r = await scaleRequest(file, { only: ['scales-by-a-fraction'] });
  assert.deepEqual(r.checks.map((c) => [c.id, c.status]), [['scales-the-sum-by-2', 'skipped'], ['scales-by-a-fraction', 'passed'], ['the-shared-result-is-computed-once', 'skipped']]);
  assert.match(r.checks[0].message ?? '', /only the chosen checks ran/);
  assert.equal(r.status, 'passed');
  assert.deepEqual(r.logs, ['scaleSum call 1']);
});

test('a shared result is computed once per run, by the first check that asks, and not when no check asks', async () => {
  const { file } = scaleFolder('shared', countingScale);
  const all = await scaleRequest(file);
  assert.equal(all.status, 'passed');
  // Two checks use the shared "doubled" result and one calls scaleSum itself: two calls, not three.
  assert.deepEqual(all.logs, ['scaleSum call 1', 'scaleSum call 2']);
  const one = await scaleRequest(file, { only: ['the-shared-result-is-computed-once'] });
  assert.deepEqual(one.logs, ['scaleSum call 1']);
});

test('the locale reaches the runner: names, failures and runner messages in Chinese', async () => {
  const { file } = scaleFolder('zh', countingScale.replace('x * s', 'x + s'));
  const r = await scaleRequest(file, { locale: 'zh-cn' });
  assert.deepEqual(r.checks.map((c) => c.name), ['把和乘以 2', '乘以一个分数', '共享结果只计算一次']);
  assert.match(r.checks[0].message ?? '', /和被加上了 s，而不是乘以 s。/);
  assert.equal(r.checks[0].hint, '逐元素相乘：x * s。');
  assert.match(r.checks[2].message ?? '', /scaleSum\(a, b, 2\)\[0\] 是 13，应为 22/);
  const todo = await scaleRequest(path.join(SCALE, 'scale.ts'), { locale: 'zh-cn', only: ['scales-by-a-fraction'] });
  assert.match(todo.checks[1].message ?? '', /^尚未实现：scaleSum 仍在调用 TODO\('scaleSum'\)/);
});

test('an exercise whose earlier exercise is missing says which to open, in the learner language', async () => {
  const folder = path.join(dir, 'missing-prereq');
  mkdirSync(path.join(folder, '02-scale'), { recursive: true });
  const file = path.join(folder, '02-scale', 'scale.ts');
  writeFileSync(file, countingScale);
  const prerequisites = [{ file: path.join(folder, '01-add', 'add.ts'), exerciseId: 'add/vectors', title: 'Add two vectors' }];
  const r = await scaleRequest(file, { prerequisites });
  assert.equal(r.error?.kind, 'prerequisite');
  assert.match(r.error?.message ?? '', /builds on your earlier work: open this exercise first: "Add two vectors" \(add\/vectors, 01-add\/add\.ts\)/);
  assert.doesNotMatch(r.error?.message ?? '', /Could not resolve/);
  assert.ok(r.checks.every((c) => c.status === 'skipped'));
  const zh = await scaleRequest(file, { prerequisites: [{ ...prerequisites[0], title: '两个向量相加' }], locale: 'zh-cn' });
  assert.match(zh.error?.message ?? '', /请先打开这些练习："两个向量相加"/);
});

test('learner code cannot import the course layer (the checks can)', async () => {
  const r = await check(learner('course.ts', `import * as course from '@llm-lab/course/attention';
export function addVectors(a: Float32Array, b: Float32Array) {
  return Object.keys(course).length ? a.map((x, i) => x + b[i]) : a;
}
`));
  assert.equal(r.status, 'error');
  assert.match(r.error?.message ?? '', /your code may not use the '@llm-lab\/course\/attention' module/);
});

test('an error thrown by the check\'s own code is labelled as such, not as the learner\'s function throwing', async () => {
  const checks = path.join(dir, 'machinery.checks.ts');
  writeFileSync(checks, `import { defineChecks, t } from '@llm-lab/check';
export default defineChecks<{ addVectors(a: Float32Array, b: Float32Array): Float32Array }>({
  exports: ['addVectors'],
  checks: [{ name: t('uses the result', '使用结果'), task: 'addVectors', run: (m) => {
    const out = m.addVectors(Float32Array.of(1), Float32Array.of(2));
    (null as unknown as { x: number }).x = out[0]; // a bug in the check, not in the learner's code
  } }],
});
`);
  const r = await runInWorker({ exerciseId: 'add/vectors', learnerFile: learner('fine.ts', correct), checksFile: checks }, { workerPath: WORKER, timeoutMs: 5000, memoryMb: 256 });
  assert.match(r.checks[0].message ?? '', /^the check's own code threw, while working with what your code returned: TypeError/);
  assert.doesNotMatch(r.checks[0].message ?? '', /addVectors\(\) threw/);
});

test('a learner class a check constructs is constructed as itself: new.target is the class, a check\'s subclass keeps its own', async () => {
  // The runner wraps the learner's exports to see what the checks call them with; `new m.Counter()` must still run
  // the constructor with new.target === Counter (code that tests it works, and V8 keeps the class's object layout).
  const checks = path.join(dir, 'klass.checks.ts');
  writeFileSync(checks, `import { defineChecks, fail, t } from '@llm-lab/check';
type M = { Counter: new (n: number) => { n: number; own: boolean; inc(): number }; addVectors(a: Float32Array, b: Float32Array): Float32Array };
export default defineChecks<M>({
  exports: ['Counter'],
  checks: [
    { name: t('constructed as itself', '按它自己构造'), run: (m) => {
      const c = new m.Counter(2);
      if (!c.own) fail(t('new.target was not Counter', 'new.target 不是 Counter'));
      if (c.inc() !== 3 || !(c instanceof m.Counter)) fail(t('inc or instanceof broke', 'inc 或 instanceof 出错'));
      class Sub extends m.Counter { twice() { return 2 * this.n; } }
      const s = new Sub(5);
      if (s.own || s.twice() !== 10 || !(s instanceof m.Counter)) fail(t('a subclass lost its new.target', '子类丢失了它的 new.target'));
    } },
  ],
});
`);
  const file = learner('counter.ts', `export class Counter {
  n: number;
  own: boolean;
  constructor(n: number) { this.n = n; this.own = new.target === Counter; }
  inc(): number { return ++this.n; }
}
`);
  const r = await runInWorker({ exerciseId: 'add/vectors', learnerFile: file, checksFile: checks }, { workerPath: WORKER, timeoutMs: 5000, memoryMb: 256 });
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.checks.map((c) => [c.status, c.message]), [['passed', undefined]]);
});
