/**
 * The one runner for every lesson's mistake catalogue (lessons/<folder>/mistakes.ts).
 *
 * A case puts one catalogued mistake into the reference solutions: the exercise's solution and those of every
 * exercise it builds on are laid out as a learner folder (each under its learner file name, as a learner has
 * them), exact text edits are applied (each `from` must occur exactly once), and only the check that catalogues
 * the mistake runs, through the real runner process, once in each locale. That check must fail, and its message
 * must contain the catalogue's own message in that locale (the hint, the catalogue's hint).
 *
 * Every entry of every catalogue under the lessons root must have a case: the coverage test fails otherwise,
 * and prints how many catalogued mistakes were tested against how many the catalogues hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { type Catalog, findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { checkId } from '../../src/core/grading/define';
import { type Mistake, type Catalogue } from '../../src/core/grading/mistakes';
import { type Locale, LOCALES, isText } from '../../src/core/grading/text';
import type { RunResult } from '../../src/core/grading/result';
import { runInWorker } from '../../src/harness/host';
import type { PlannedCheck } from '../../src/harness/protocol';
import { learnerFile, prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { WORKER, englishPlan, limiter, printSlowest, tempDir, withEdits } from './helpers';

export interface MistakeCase {
  /** The catalogue the mistake is in, and its key there. */
  catalogue: Catalogue;
  key: string;
  /** The exercise whose check runs. */
  exercise: string;
  /** The exercise whose solution gets the edits, when not `exercise` (a broken lesson-10 gae under lesson 12). */
  in?: string;
  /** Exact text of the solution -> the buggy text. Each `from` must occur exactly once. */
  edits: [from: string, to: string][];
  /** The check that catalogues this mistake: the start of its English name. */
  check: string;
  /** A label, when one entry has several cases. */
  name?: string;
  /** What the failure must say: the catalogue's message (default) or its hint (a check that adds the mistake's hint to its own words). */
  says?: 'message' | 'hint';
  /** Locales to run in; default both. */
  locales?: Locale[];
}

type CaseSpec<K extends string> = Omit<MistakeCase, 'catalogue' | 'key' | 'exercise'> & { key: K; exercise?: string };

/** Cases of one catalogue, for one exercise unless a case names another. */
export function mistakeCases<K extends string>(catalogue: Catalogue<K>, exercise: string, specs: CaseSpec<K>[]): MistakeCase[] {
  return specs.map((s) => ({ ...s, catalogue, exercise: s.exercise ?? exercise }));
}

const isMistake = (v: unknown): v is Mistake => typeof v === 'object' && v !== null && isText((v as Mistake).message) && isText((v as Mistake).hint);

/** Every catalogue exported by `<root>/<folder>/mistakes.ts`: objects all of whose values are mistakes. */
export function catalogues(root: string): { file: string; name: string; catalogue: Catalogue }[] {
  const out: { file: string; name: string; catalogue: Catalogue }[] = [];
  for (const folder of readdirSync(root).sort()) {
    const file = path.join(root, folder, 'mistakes.ts');
    if (!existsSync(file)) continue;
    const mod = require(file) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'object' && value !== null && Object.values(value).length && Object.values(value).every(isMistake)) {
        out.push({ file, name, catalogue: value as Catalogue });
      }
    }
  }
  return out;
}

/** Registers the cases as tests (two runner processes at a time), and the coverage test. */
export function testCatalogues(root: string, allCases: MistakeCase[], opts: { timeoutMs?: number } = {}): void {
  // LLM_LAB_CASES=attention/,lora/ runs only the cases of exercises starting with those prefixes (while working on a track).
  const only = process.env.LLM_LAB_CASES?.split(',').filter(Boolean);
  const cases = only ? allCases.filter((c) => only.some((o) => c.exercise.startsWith(o))) : allCases;
  const dir = tempDir('llm-lab-catalogue-');
  const limit = limiter(2);
  const catalog: Promise<Catalog> = loadCatalog(root);

  const run = async (c: MistakeCase, index: number, locale: Locale): Promise<{ result: RunResult; check: PlannedCheck }> => {
    const cat = await catalog;
    const found = findExercise(cat, c.exercise);
    if (!found) throw new Error(`no exercise ${c.exercise} under ${root}`);
    const target = c.in ? findExercise(cat, c.in) : found;
    if (!target) throw new Error(`no exercise ${c.in} under ${root}`);
    const plan = await englishPlan(found.exercise.checks);
    const check = plan.find((p) => p.name.startsWith(c.check));
    if (!check) throw new Error(`${c.exercise} has no check named "${c.check}…"; it has: ${plan.map((p) => p.name).join(' | ')}`);
    const folder = path.join(dir, `case-${index}-${locale}`);
    mkdirSync(folder, { recursive: true });
    const file = await solutionFolder(folder, cat, found.exercise);
    if (c.in && !existsSync(learnerFile(folder, target.lesson, target.exercise))) {
      throw new Error(`${c.in} is not something ${c.exercise} builds on`);
    }
    const edited = learnerFile(folder, target.lesson, target.exercise);
    writeFileSync(edited, withEdits(readFileSync(edited, 'utf8'), c.edits, `${c.key} (${c.name ?? c.check})`));
    const result = await limit(() => runInWorker({
      exerciseId: found.exercise.id, learnerFile: file, checksFile: found.exercise.checks, locale, only: [check.id],
      prerequisites: prerequisiteFiles(folder, cat, found.exercise),
    }, { workerPath: WORKER, timeoutMs: opts.timeoutMs ?? 60_000, memoryMb: 1024 }));
    return { result, check };
  };

  const timed: { c: MistakeCase; locale: Locale; pending: Promise<{ result: RunResult }> }[] = [];
  cases.forEach((c, index) => {
    for (const locale of c.locales ?? LOCALES) {
      const pending = run(c, index, locale);
      pending.catch(() => undefined); // awaited by the test below
      timed.push({ c, locale, pending });
      test(`${c.exercise} [${locale}]: recognises ${c.key}${c.name ? ` (${c.name})` : ''}`, async () => {
        const { result: r, check } = await pending;
        assert.equal(r.error, undefined, r.error?.message);
        const outcome = r.checks.find((x) => x.id === check.id);
        assert.ok(outcome, `no outcome for ${check.name}`);
        assert.notEqual(outcome.status, 'passed', `"${check.name}" passed with the mistake ${c.key}`);
        const others = r.checks.filter((x) => x.id !== check.id && x.status !== 'skipped').map((x) => x.name);
        assert.deepEqual(others, [], 'only the named check runs');
        const field = c.says ?? 'message';
        const entry = c.catalogue[c.key];
        const want = entry[field][locale];
        const got = field === 'message' ? outcome.message ?? '' : outcome.hint ?? '';
        assert.ok(got.includes(want), `"${check.name}" [${locale}] should say the catalogue's ${field}:\n  ${want}\nit said:\n  ${got}`);
        // A convention is shown as a convention, a mistake as a mistake: the outcome carries which.
        assert.equal(outcome.convention, entry.convention, entry.convention ? `"${c.key}" is ${entry.convention}'s convention: the outcome must say so` : `"${c.key}" is a mistake, not a convention`);
      });
    }
  });

  // LLM_LAB_CASES_TIMES=1 prints where the suite's time goes: runner wall time per exercise, and the slowest cases.
  if (process.env.LLM_LAB_CASES_TIMES) test('catalogue runs: the slowest', async () => {
    const done = await Promise.all(timed.map(async (x) => ({ x, r: await x.pending.catch(() => undefined) })));
    printSlowest(done.map(({ x, r }) => ({ exercise: x.c.exercise, label: `[${x.locale}] ${x.c.key}`, ms: r?.result.durationMs ?? 0 })), 20, 30);
  });

  if (!only) test(`every catalogued mistake under ${path.basename(root)}/ has a case`, () => {
    const all = catalogues(root);
    const entries = all.flatMap((c) => Object.keys(c.catalogue).map((key) => ({ ...c, key })));
    const tested = entries.filter((e) => cases.some((c) => c.catalogue === e.catalogue && c.key === e.key));
    const untested = entries.filter((e) => !tested.includes(e)).map((e) => `${path.relative(root, e.file)} ${e.name}.${e.key}`);
    console.log(`catalogued mistakes tested: ${tested.length} of ${entries.length} (${cases.length} cases, ${all.length} catalogues)`);
    for (const e of entries.filter((x) => x.catalogue[x.key].convention)) {
      const m = e.catalogue[e.key];
      console.log(`convention ${path.relative(root, e.file)} ${e.key} (${m.convention}):\n  en: ${m.message.en}\n  zh-cn: ${m.message['zh-cn']}`);
    }
    assert.deepEqual(untested, [], 'catalogued mistakes without a case');
    const unknown = cases.filter((c) => !all.some((x) => x.catalogue === c.catalogue)).map((c) => c.key);
    assert.deepEqual(unknown, [], 'cases whose catalogue is not in a lesson folder');
  });
}

/**
 * Another library's way of doing the same thing (PyTorch, Hugging Face, nanoGPT, CleanRL, PEFT, TRL...), put into
 * the reference solution. It must either pass (the lesson accepts both) or fail as a convention: never be told it is
 * a mistake.
 */
export interface LibraryVariant {
  /** The library whose convention this is, as the catalogue names it. */
  library: string;
  /** What the variant does, e.g. "GELU with erf, as nn.GELU()". */
  name: string;
  exercise: string;
  in?: string;
  edits: [from: string, to: string][];
  /** The check to run (start of its English name). */
  check: string;
}

/** Registers the library variants as tests (in English: the convention wording is checked in both by the cases). */
export function testLibraryVariants(root: string, variants: LibraryVariant[]): void {
  const dir = tempDir('llm-lab-conventions-');
  const limit = limiter(2);
  const catalog = loadCatalog(root);
  const all = catalogues(root);
  const run = async (v: LibraryVariant, index: number): Promise<{ r: RunResult; check: PlannedCheck }> => {
    const cat = await catalog;
    const found = findExercise(cat, v.exercise);
    assert.ok(found, v.exercise);
    const target = v.in ? findExercise(cat, v.in) : found;
    assert.ok(target, v.in);
    const plan = await englishPlan(found.exercise.checks);
    const check = plan.find((p) => p.name.startsWith(v.check));
    assert.ok(check, `${v.exercise} has no check named "${v.check}…"`);
    const folder = path.join(dir, `variant-${index}`);
    mkdirSync(folder, { recursive: true });
    const file = await solutionFolder(folder, cat, found.exercise);
    const edited = learnerFile(folder, target.lesson, target.exercise);
    writeFileSync(edited, withEdits(readFileSync(edited, 'utf8'), v.edits, `${v.library}: ${v.name}`));
    const r = await limit(() => runInWorker({
      exerciseId: found.exercise.id, learnerFile: file, checksFile: found.exercise.checks, locale: 'en', only: [check.id],
      prerequisites: prerequisiteFiles(folder, cat, found.exercise),
    }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 }));
    return { r, check };
  };
  variants.forEach((v, index) => {
    // Started now, two runner processes at a time; each test awaits its own (the tests of a file run one by one).
    const pending = run(v, index);
    pending.catch(() => undefined);
    test(`${v.exercise}: ${v.library}'s convention (${v.name}) is accepted or named as a convention, never as a mistake`, async () => {
      const { r, check } = await pending;
      assert.equal(r.error, undefined, r.error?.message);
      const outcome = r.checks.find((x) => x.id === check.id)!;
      const named = all.flatMap((c) => Object.entries(c.catalogue).map(([key, m]) => ({ key, m, file: c.file })))
        .filter(({ m }) => (outcome.message ?? '').includes(m.message.en));
      const asMistake = named.filter(({ m }) => !m.convention).map(({ key, file }) => `${path.relative(root, file)} ${key}`);
      assert.deepEqual(asMistake, [], `${v.library}'s convention is labelled as a mistake: mark the entry with convention: '${v.library}' and say so`);
      if (outcome.status === 'passed') return;
      assert.ok(outcome.convention, `"${check.name}" failed without naming the convention: ${outcome.message}`);
      assert.ok(named.length > 0, `"${check.name}" failed with a message that is no catalogue entry: ${outcome.message}`);
      assert.ok(outcome.message?.includes(v.library) || named.some(({ m }) => m.convention?.includes(v.library)), `the message should name ${v.library}: ${outcome.message}`);
    });
  });
}
