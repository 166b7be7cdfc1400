/**
 * The lesson contract (README, "Adding a lesson"), as a function the architecture test runs on lessons/ and on
 * broken copies of a fixture course. A lesson folder holds:
 *   lesson.md, lesson.zh-cn.md                      the text, in English and Chinese
 *   <name>.ts, <name>.zh-cn.ts                      each exercise's scaffold (the same code, comments translated)
 *   <name>.solution.ts, <name>.checks.ts            its reference solution and its checks
 *   mistakes.ts                                     the mistake catalogue, every entry in both languages
 *   *.json, *.txt, *.csv                            data
 * and nothing else. A lesson imports from another lesson only a scaffold (the learner's own earlier file), and
 * names that exercise under `requires`; only checks import the course layer (@llm-lab/course/*); nothing in a
 * lesson reaches into src/ by path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { loadCatalog } from '../../src/core/lessons/catalog';
import { isText, LOCALES } from '../../src/core/grading/text';

/** Every module specifier a TypeScript file imports or re-exports (static, dynamic, require). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]);
  return out;
}

const DATA = /\.(json|txt|csv)$/;

export async function contractViolations(root: string): Promise<string[]> {
  const problems: string[] = [];
  const catalog = await loadCatalog(root);
  for (const p of catalog.problems.filter((x) => x.severity === 'error')) problems.push(`${path.relative(root, p.file)}: ${p.message}`);
  // Scaffold files by lesson folder, and the exercise each file belongs to.
  const scaffolds = new Map<string, Map<string, string>>(); // folder -> scaffold base name -> exercise id
  for (const l of catalog.lessons) scaffolds.set(l.folder, new Map(l.exercises.map((e) => [path.basename(e.fileName, '.ts'), e.id])));

  for (const lesson of catalog.lessons) {
    const allowed = new Map<string, string | undefined>([['lesson.md', undefined], ['lesson.zh-cn.md', undefined], ['mistakes.ts', undefined]]);
    for (const e of lesson.exercises) {
      for (const f of [e.scaffold, e.scaffolds['zh-cn'], e.solution, e.checks]) allowed.set(path.basename(f), e.id);
    }
    for (const name of readdirSync(lesson.dir)) {
      const file = path.join(lesson.dir, name);
      const rel = path.relative(root, file);
      if (statSync(file).isDirectory()) { problems.push(`${rel}: a lesson folder holds no folders`); continue; }
      if (!allowed.has(name) && !DATA.test(name)) {
        problems.push(`${rel}: not a lesson file (lesson texts, scaffolds, solutions, checks, mistakes.ts and data only; shared code goes to src/course/, check helpers to @llm-lab/check)`);
        continue;
      }
      if (!name.endsWith('.ts')) continue;
      const owner = allowed.get(name);
      const exercise = lesson.exercises.find((e) => e.id === owner);
      const isChecks = exercise?.checks === file;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('@llm-lab/course/') && !isChecks && name !== 'mistakes.ts') {
          problems.push(`${rel}: imports ${spec}: only checks use the course layer (learner code cannot import it)`);
        }
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(lesson.dir, spec);
        const folder = path.relative(root, path.dirname(target));
        if (folder.startsWith('..') || path.isAbsolute(folder)) { problems.push(`${rel}: imports ${spec}, outside the lessons (use @llm-lab/*)`); continue; }
        if (folder === lesson.folder) continue;
        const base = path.basename(target).replace(/\.ts$/, '');
        const other = scaffolds.get(folder);
        const required = other?.get(base);
        if (!required) {
          problems.push(`${rel}: imports ${spec}: from another lesson only a scaffold (the learner's own file) may be imported`);
        } else if (exercise && !exercise.requires.includes(required)) {
          problems.push(`${rel}: imports ${spec} but ${exercise.id} does not list ${required} under requires`);
        }
      }
    }
    const mistakes = path.join(lesson.dir, 'mistakes.ts');
    if (!existsSync(mistakes)) { problems.push(`${path.relative(root, lesson.dir)}: no mistakes.ts`); continue; }
    try {
      delete require.cache[require.resolve(mistakes)]; // a changed file is read anew
      const mod = require(mistakes) as Record<string, unknown>;
      const catalogues = Object.entries(mod).filter(([, v]) => typeof v === 'object' && v !== null);
      if (!catalogues.length) problems.push(`${path.relative(root, mistakes)}: exports no catalogue`);
      for (const [name, cat] of catalogues) {
        for (const [key, m] of Object.entries(cat as Record<string, { message?: unknown; hint?: unknown }>)) {
          for (const field of ['message', 'hint'] as const) {
            const text = m?.[field];
            if (!isText(text) || LOCALES.some((l) => !text[l]?.trim())) problems.push(`${path.relative(root, mistakes)}: ${name}.${key}.${field} needs ${LOCALES.join(' and ')}`);
          }
        }
      }
    } catch (e) {
      problems.push(`${path.relative(root, mistakes)}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return problems;
}
