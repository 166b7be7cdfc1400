/**
 * Grading truth, measured on a corpus of learner files written independently of the catalogues (test/unit/corpus/
 * <track>.ts): correct solutions in other styles, and one-bug variants (some catalogued mistakes written a new way,
 * at least half mistakes no catalogue names). Each entry is laid out as a learner folder and checked through the
 * real runner. The suite prints, per track and in all: false rejects, false accepts, catalogued mistakes named, wrong
 * diagnoses (a failure that names a catalogued mistake the file does not have), and failures located at the faulty
 * line (one of the lines the bug changed, see faultyLines). False rejects and false accepts fail the suite; the other figures are printed for the closing note.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import type { RunResult } from '../../src/core/grading/result';
import { runInWorker } from '../../src/harness/host';
import { learnerFile, prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { catalogues } from './catalogue';
import { WORKER, englishPlan, limiter, printSlowest, tempDir, withEdits } from './helpers';

export interface CorpusEntry {
  exercise: string;
  /** What the file does differently, e.g. "index loops over .data" or "mask built with j >= i". */
  name: string;
  kind: 'correct' | 'bug';
  /** The file: the reference solution with exact edits, or a whole source. */
  edits?: [from: string, to: string][];
  source?: string;
  /** For a bug that is a catalogued mistake written a new way: its key (in any catalogue of the lessons). */
  catalogued?: string;
  /** The 1-based line of the learner file where the bug is (for the located-at-line figure). */
  line?: number;
  /** Whether the bug is written with kit ops (tensor style), for the located figure's target. */
  kitOps?: boolean;
  /** Run only these checks (starts of English names); default every check. */
  checks?: string[];
}

interface Outcome { entry: CorpusEntry; result: RunResult }

/** The 1-based line of a corpus file on which `marker` stands (it must occur exactly once): an entry's `line`. */
export function lineOf(text: string, marker: string, name: string): number {
  const at = text.indexOf(marker);
  if (!marker || at < 0 || text.indexOf(marker, at + 1) >= 0) {
    throw new Error(`corpus entry "${name}": the marker ${JSON.stringify(marker)} must occur exactly once in its file`);
  }
  return text.slice(0, at).split('\n').length;
}

/**
 * The lines of a one-bug file that are its bug: the lines it does not share with the file it was made from (the
 * reference solution or the correct file of the same exercise closest to it), when that is a small change (a bug
 * written over two lines is found at either); else only its marked line.
 */
export function faultyLines(bug: CorpusEntry, entries: CorpusEntry[], solution: string | undefined): number[] {
  const text = bug.source ?? '';
  if (!bug.line || !text) return bug.line ? [bug.line] : [];
  const mine = text.split('\n');
  const bases = [solution, ...entries.filter((x) => x.kind === 'correct' && x.exercise === bug.exercise).map((x) => x.source)].filter((x): x is string => !!x);
  let best: number[] | undefined;
  for (const base of bases) {
    const count = new Map<string, number>();
    for (const l of base.split('\n')) count.set(l, (count.get(l) ?? 0) + 1);
    const changed: number[] = [];
    mine.forEach((l, i) => {
      const n = count.get(l) ?? 0;
      if (n > 0) count.set(l, n - 1); else changed.push(i + 1);
    });
    if (!best || changed.length < best.length) best = changed;
  }
  return best && best.length <= 4 && best.includes(bug.line) ? best : [bug.line];
}

export function testCorpus(root: string, tracks: Record<string, CorpusEntry[]>): void {
  /** Each exercise's reference solution as laid out in a learner folder (the base most bugs are made from). */
  const sources = new Map<string, string>();
  const dir = tempDir('llm-lab-corpus-');
  const limit = limiter(2);
  const catalog = loadCatalog(root);
  const all = catalogues(root).flatMap((c) => Object.entries(c.catalogue).map(([key, m]) => ({ key, m })));
  let n = 0;
  const run = async (e: CorpusEntry): Promise<RunResult> => {
    const cat = await catalog;
    const found = findExercise(cat, e.exercise);
    if (!found) throw new Error(`no exercise ${e.exercise}`);
    const folder = path.join(dir, `entry-${n++}`);
    mkdirSync(folder, { recursive: true });
    const file = await solutionFolder(folder, cat, found.exercise);
    if (!sources.has(e.exercise)) sources.set(e.exercise, readFileSync(file, 'utf8'));
    const own = learnerFile(folder, found.lesson, found.exercise);
    writeFileSync(own, e.source ?? withEdits(readFileSync(own, 'utf8'), e.edits ?? [], e.name));
    let only: string[] | undefined;
    if (e.checks) {
      const plan = await englishPlan(found.exercise.checks);
      only = plan.filter((p) => e.checks!.some((c) => p.name.startsWith(c))).map((p) => p.id);
      if (only.length !== e.checks.length) throw new Error(`${e.name}: some of its checks are not in ${e.exercise}: ${e.checks.join(' | ')}`);
    }
    return limit(() => runInWorker({ exerciseId: e.exercise, learnerFile: file, checksFile: found.exercise.checks, locale: 'en', only,
      prerequisites: prerequisiteFiles(folder, cat, found.exercise) }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 1024 }));
  };

  const results: Record<string, Promise<Outcome>[]> = {};
  // LLM_LAB_CORPUS=attention,lora runs only those tracks (while working on one).
  const only = process.env.LLM_LAB_CORPUS?.split(',').filter(Boolean);
  for (let [track, entries] of Object.entries(tracks)) {
    if (only && !only.includes(track)) continue;
    // LLM_LAB_CORPUS_EXERCISE=bpe/tokenizer,subword/tokenizers runs only those exercises' entries.
    const exercises = process.env.LLM_LAB_CORPUS_EXERCISE?.split(',').filter(Boolean);
    if (exercises) entries = entries.filter((e) => exercises.includes(e.exercise));
    results[track] = entries.map((entry) => { const p = run(entry).then((result) => ({ entry, result })); p.catch(() => undefined); return p; });
    entries.forEach((entry, i) => {
      test(`${track} corpus: ${entry.exercise} ${entry.kind === 'correct' ? 'accepts' : 'rejects'} "${entry.name}"`, async () => {
        const { result: r } = await results[track][i];
        if (entry.kind === 'correct') {
          assert.equal(r.error, undefined, r.error?.message);
          assert.deepEqual(r.checks.filter((c) => c.status !== 'passed' && c.status !== 'skipped').map((c) => `${c.name}: ${c.message}`), [], 'a correct file was rejected');
        } else {
          assert.ok(r.checks.some((c) => c.status === 'failed' || c.status === 'error') || r.error, 'a buggy file passed every check');
        }
      });
    });
  }

  test('grading truth on the corpus: the figures', async () => {
    const rows: string[] = [];
    const total = { correct: 0, falseRejects: 0, bugs: 0, falseAccepts: 0, catalogued: 0, named: 0, wrong: 0, located: 0, locatable: 0, kitLocated: 0, kitLocatable: 0 };
    for (const [track, list] of Object.entries(results)) {
      const t = { correct: 0, falseRejects: 0, bugs: 0, falseAccepts: 0, catalogued: 0, named: 0, wrong: 0, located: 0, locatable: 0, kitLocated: 0, kitLocatable: 0 };
      const outcomes = await Promise.all(list);
      for (const { entry: e, result: r } of outcomes) {
        const failing = r.checks.filter((c) => c.status === 'failed' || c.status === 'error');
        if (e.kind === 'correct') {
          t.correct++;
          if (failing.length || r.error) t.falseRejects++;
          continue;
        }
        t.bugs++;
        if (!failing.length && !r.error) { t.falseAccepts++; continue; }
        const said = failing.map((c) => c.message ?? '').join('\n') + (r.error?.message ?? '');
        const namedKeys = all.filter(({ m }) => said.includes(m.message.en)).map(({ key }) => key);
        if (e.catalogued) {
          t.catalogued++;
          if (namedKeys.includes(e.catalogued)) t.named++;
        }
        if (namedKeys.some((k) => k !== e.catalogued)) t.wrong++;
        if (e.line) {
          t.locatable++;
          const lines = faultyLines(e, outcomes.map((o) => o.entry), sources.get(e.exercise));
          const at = failing.some((c) => lines.includes(c.location?.line ?? 0)) || lines.includes(r.error?.location?.line ?? 0);
          if (at) t.located++;
          else if (process.env.LLM_LAB_CORPUS_MISSES) {
            const where = failing.map((c) => `${c.name}@${c.location?.line ?? '-'}`).join(', ');
            console.log(`  not located${e.kitOps ? ' (kit ops)' : ''}: ${e.exercise} "${e.name}" at line ${lines.join(' or ')}; reported: ${where}`);
          }
          if (e.kitOps) { t.kitLocatable++; if (at) t.kitLocated++; }
        }
      }
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += t[k];
      rows.push(row(track, t));
    }
    rows.push(row('all', total));
    console.log(['grading truth (track: false rejects, false accepts, catalogued named, wrong diagnoses, located at the faulty line):', ...rows].join('\n'));
    if (process.env.LLM_LAB_CORPUS_TIMES) { // where the suite's time goes
      const outcomes = await Promise.all(Object.values(results).flat());
      printSlowest(outcomes.map(({ entry: e, result: r }) => ({ exercise: e.exercise, label: `${e.kind} "${e.name}"`, ms: r.durationMs })));
    }
    assert.equal(total.falseRejects, 0, 'false rejects');
    assert.equal(total.falseAccepts, 0, 'false accepts');
  });
}

function row(track: string, t: Record<string, number>): string {
  const pct = (a: number, b: number) => (b ? `${a}/${b} (${Math.round((100 * a) / b)} %)` : '-');
  return `  ${track}: correct ${t.correct}, false rejects ${t.falseRejects}; bugs ${t.bugs}, false accepts ${t.falseAccepts}; `
    + `named ${pct(t.named, t.catalogued)}; wrong diagnoses ${t.wrong}; located ${pct(t.located, t.locatable)} (kit-op bugs ${pct(t.kitLocated, t.kitLocatable)})`;
}
