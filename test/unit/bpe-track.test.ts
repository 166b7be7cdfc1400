/**
 * The BPE lesson beyond its mistake catalogue (test/unit/mistakes/bpe.ts has those):
 * - GPT-2 in full: ALL 50,000 of GPT-2's merges (recovered from gpt-tokenizer's r50k_base ranks as minbpe's
 *   recover_merges does), converted to the learner's byte ids; the reference solution's encode on the held-out chapter
 *   (and on the training text, Greek and Hebrew included) gives exactly gpt-tokenizer's ids, and decodes back. Both
 *   speeds are printed in characters per second, with the load average (the lesson's closing numbers come from here).
 *   gpt-tokenizer is a devDependency: only this test loads it, never the checks.
 * - The reference solution through the real runner: every check passes; the book's merges are trained once and drawn
 *   live by the exact-merge-list check only; per-check times are printed.
 * - The time check can fail: a trainBpe that burns 4.5 s of CPU is told what makes BPE training slow.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Artifact } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { planInWorker, runInWorker } from '../../src/harness/host';
import { BPE_GPT2_PATTERN, bpeRefEncoder } from '../../src/course/tokens/bpe';
import DATA from '../../lessons/06a-bpe/bpe-data.json';
import * as solution from '../../lessons/06a-bpe/tokenizer.solution';
import { LESSONS, WORKER, tempDir } from './helpers';

const require = createRequire(__filename);
const load = () => `load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;

/** GPT-2's merges in the learner's ids (byte b is id b, GPT-2 token 256 + i is id 256 + i), and the map to GPT-2's ids. */
function gpt2Merges(): { merges: [number, number][]; toGpt2: number[] } {
  const ranks = require('gpt-tokenizer/bpeRanks/r50k_base').default as (string | number[])[];
  const enc = new TextEncoder();
  const bytes = ranks.map((r) => (typeof r === 'string' ? Array.from(enc.encode(r)) : r));
  const key = (b: readonly number[]) => String.fromCharCode(...b);
  const rankOf = new Map(bytes.map((b, i) => [key(b), i]));
  const toGpt2 = Array.from({ length: bytes.length }, (_, id) => (id < 256 ? rankOf.get(key([id]))! : id));
  const fromGpt2 = new Map(toGpt2.map((g, id) => [g, id]));
  const merges: [number, number][] = [];
  for (let r = 256; r < bytes.length; r++) {
    // minbpe's recover_merges: the token's bytes, merged with only the ranks below its own, give two parts.
    let parts = bytes[r].map((b) => [b]);
    for (;;) {
      let best = -1;
      let bestRank = r;
      for (let i = 0; i + 1 < parts.length; i++) {
        const k = rankOf.get(key([...parts[i], ...parts[i + 1]]));
        if (k !== undefined && k < bestRank) { bestRank = k; best = i; }
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), [...parts[best], ...parts[best + 1]], ...parts.slice(best + 2)];
    }
    assert.equal(parts.length, 2, `GPT-2 token ${r} does not split into two parts`);
    merges.push([fromGpt2.get(rankOf.get(key(parts[0]))!)!, fromGpt2.get(rankOf.get(key(parts[1]))!)!]);
  }
  return { merges, toGpt2 };
}

test('bpe: the reference solution with all 50,000 of GPT-2\'s merges gives gpt-tokenizer\'s ids', () => {
  const gpt2 = require('gpt-tokenizer/encoding/gpt2') as { encode(text: string): number[]; clearMergeCache(): void };
  const { merges, toGpt2 } = gpt2Merges();
  assert.equal(merges.length, 50_000);
  const course = bpeRefEncoder(merges, { pattern: BPE_GPT2_PATTERN });
  /** The best of three timed runs, each on a cold cache (gpt-tokenizer caches the ids of every chunk it has seen). */
  const time = (fn: () => unknown): number => Math.min(...[0, 1, 2].map(() => { gpt2.clearMergeCache(); const t0 = performance.now(); fn(); return performance.now() - t0; }));
  solution.encode('warm up', merges);
  gpt2.encode('warm up');
  for (const [name, text] of [['held-out chapter', DATA.heldOut.text], ['training text (etymology: Hebrew, Greek)', DATA.train]] as const) {
    const want = gpt2.encode(text);
    const ids = solution.encode(text, merges, { pattern: solution.GPT2_PATTERN });
    const mapped = ids.map((id) => toGpt2[id]);
    const at = mapped.findIndex((g, i) => g !== want[i]);
    assert.ok(at < 0 && mapped.length === want.length, `${name}: first difference at ${at}: ${mapped[at]} vs ${want[at]} (${mapped.length} vs ${want.length} ids)`);
    assert.equal(solution.decode(ids, merges), text);
    assert.deepEqual(course(text), ids);
    const mine = time(() => solution.encode(text, merges, { pattern: solution.GPT2_PATTERN }));
    const theirs = time(() => gpt2.encode(text));
    const rate = (ms: number) => `${Math.round(text.length / (ms / 1000)).toLocaleString('en')} chars/s (${ms.toFixed(1)} ms)`;
    console.log(`bpe: ${name}, ${text.length} chars -> ${ids.length} tokens, identical ids; reference solution ${rate(mine)}, its 50,000-entry rank map built `
      + `in every call; gpt-tokenizer ${rate(theirs)}, merge cache cleared; best of 3; ${load()}`);
  }
});

test('bpe/tokenizer: every check passes, the book is trained once and drawn live by the exact-merge-list check', async () => {
  const cat = await loadCatalog(LESSONS);
  const found = findExercise(cat, 'bpe/tokenizer');
  assert.ok(found);
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const folder = path.join(tempDir('llm-lab-bpe-'), 'run');
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: { id: string; artifact: Artifact }[] = [];
  const r = await runInWorker({
    exerciseId: 'bpe/tokenizer', learnerFile, checksFile: found.exercise.checks, locale: 'en', prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, {
    workerPath: WORKER, timeoutMs: 120_000, memoryMb: 1024,
    onEvent: (event) => { if (event.type === 'check-progress') live.push({ id: event.id, artifact: event.artifact }); },
  });
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const book = plan.find((p) => p.name.startsWith('trainBpe: the exact merge list'));
  assert.ok(book);
  assert.ok(live.length >= 1, 'no live update');
  assert.deepEqual([...new Set(live.map((l) => l.id))], [book.id], 'the live table belongs to the exact-merge-list check');
  const table = r.checks.find((c) => c.id === book.id)!.artifacts.find((a) => a.kind === 'table');
  assert.ok(table?.kind === 'table' && table.rows.length === 60, 'the first 60 merges are kept with the check');
  console.log(`bpe: first merges ${table.rows.slice(0, 12).map((row) => `${row[3]} ${row[4]}`).join(', ')}`);
  console.log(`bpe: checks ${r.checks.map((c) => `${c.name.slice(0, 32)}… ${Math.round(c.durationMs)} ms`).join('; ')}; whole run ${Math.round(r.durationMs)} ms; ${load()}`);
});

test('bpe/tokenizer: training that spends 4.5 s of CPU time fails the time check, with what makes BPE training slow', async () => {
  const cat = await loadCatalog(LESSONS);
  const found = findExercise(cat, 'bpe/tokenizer');
  assert.ok(found);
  const plan = await planInWorker(found.exercise.checks, { workerPath: WORKER, timeoutMs: 30_000, locale: 'en' });
  const check = plan.find((p) => p.name.startsWith('trainBpe: 200 merges on 10,000 characters'));
  assert.ok(check);
  const folder = path.join(tempDir('llm-lab-bpe-slow-'), 'run');
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  // The reference, plus a busy loop of 4.5 s of CPU time (what a training loop that re-encodes everything costs).
  const source = readFileSync(learnerFile, 'utf8');
  const start = 'export function trainBpe(text: string, numMerges: number, opts: TrainOptions = {}): Merge[] {\n';
  assert.ok(source.includes(start));
  writeFileSync(learnerFile, source.replace(start, `${start}  if (numMerges === 200) { const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }; const end = cpu() + 4.5; let n = 0; while (cpu() < end) for (let i = 0; i < 1e6; i++) n += i; }\n`));
  const r = await runInWorker({ exerciseId: 'bpe/tokenizer', learnerFile, checksFile: found.exercise.checks, locale: 'en', only: [check.id] },
    { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(r.error, undefined, r.error?.message);
  const outcome = r.checks.find((c) => c.id === check.id)!;
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.message ?? '', /s of CPU time .* Recounting every pair of the whole text for each merge is fine/);
  console.log(`bpe: the slow file: ${outcome.message?.slice(0, 110)}…`);
});
