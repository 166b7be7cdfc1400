/**
 * Bundling for the runner: the learner's file and the lesson's checks, each into one CommonJS script with
 * an inline source map, so the runner can execute it and every stack trace names the learner's own lines.
 * Runs in the host (extension or CLI) while the runner process starts, so the two overlap.
 */
import * as path from 'node:path';
import { accessSync, chmodSync, constants, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { BuildFailure, Message } from 'esbuild';
import type { RunError } from '../core/grading/result';

export interface BundledCode {
  code: string;
  /** The file name the code is evaluated as: beside the entry, so relative source-map paths resolve. */
  filename: string;
}

type Built = { ok: true; bundle: BundledCode; inputs: string[] } | { ok: false; errors: Message[] };

/**
 * esbuild's JavaScript API drives its native binary. An extension is installed by unzipping its VSIX,
 * and not every unzipper keeps the executable bit, so before the first build make sure the binary may
 * run (the package build keeps the bit too; this is the safety net). Without it esbuild dies with EPIPE.
 */
let executableChecked = false;
function ensureEsbuildExecutable(): void {
  if (executableChecked || process.platform === 'win32') return;
  executableChecked = true;
  try {
    const bin = require.resolve(`@esbuild/${process.platform}-${process.arch}/bin/esbuild`);
    try {
      accessSync(bin, constants.X_OK);
    } catch {
      chmodSync(bin, 0o755);
    }
  } catch {
    // No platform package where we looked (a development install resolves esbuild its own way): nothing to fix.
  }
}

/**
 * esbuild's API, loaded on first use with require (a dynamic import() of it goes through the ES module loader,
 * which parses esbuild's CommonJS entry for its exports: measurable on every CLI run).
 */
function esbuildApi(): typeof import('esbuild') {
  ensureEsbuildExecutable();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('esbuild') as typeof import('esbuild');
}

/** A file list's sizes and modification times, as one string; undefined when one is missing. */
async function stampOf(files: readonly string[]): Promise<string | undefined> {
  try {
    const stats = await Promise.all(files.map((f) => stat(f)));
    return stats.map((s, i) => `${files[i]}:${s.size}:${s.mtimeMs}`).join('|');
  } catch {
    return undefined;
  }
}

/**
 * Lesson code (a checks file, a reference solution) bundled once per process and built again only when one of the
 * files it was built from changed (size or modification time). Learner files are always built afresh.
 */
const lessonBuilds = new Map<string, { stamp: string; inputs: string[]; result: Promise<unknown> }>();
async function cachedLessonBuild<T>(key: string, entry: string, make: () => Promise<{ value: T; inputs?: string[] }>): Promise<T> {
  const hit = lessonBuilds.get(key);
  if (hit && (await stampOf(hit.inputs)) === hit.stamp) return hit.result as Promise<T>;
  const before = await stampOf([entry]);
  const { value, inputs } = await make();
  const files = inputs?.length ? inputs : [entry];
  const stamp = await stampOf(files);
  // Kept only when the entry did not change while it was being built.
  if (inputs && stamp && before && (await stampOf([entry])) === before) lessonBuilds.set(key, { stamp, inputs: files, result: Promise.resolve(value) });
  else lessonBuilds.delete(key);
  return value;
}

/** A lesson's checks bundled, from the cache when none of its files changed. */
function buildLesson(entry: string): Promise<Built> {
  return cachedLessonBuild(`checks:${path.resolve(entry)}`, entry, async () => {
    const built = await build(entry);
    return { value: built, inputs: built.ok ? built.inputs : undefined };
  });
}

async function build(entry: string): Promise<Built> {
  const esbuild = esbuildApi();
  const filename = path.join(path.dirname(entry), `.${path.basename(entry, path.extname(entry))}.llm-lab-bundle.js`);
  try {
    const out = await esbuild.build({
      entryPoints: [entry], outfile: filename, bundle: true, write: false, format: 'cjs', platform: 'node',
      target: 'node20', sourcemap: 'inline', logLevel: 'silent', metafile: true,
      // The kit, the check library and the model are provided by the runner: one shared copy of each.
      external: ['@llm-lab/*', 'onnxruntime-node', 'esbuild'],
      // Ignore tsconfig.json files: the learner's maps @llm-lab/* to type declarations.
      tsconfigRaw: {},
    });
    const inputs = Object.keys(out.metafile?.inputs ?? {}).map((f) => path.resolve(f));
    return { ok: true, bundle: { code: out.outputFiles[0].text, filename }, inputs };
  } catch (e) {
    const errors = (e as BuildFailure).errors;
    if (Array.isArray(errors) && errors.length) return { ok: false, errors };
    throw e;
  }
}

function describe(m: Message): { message: string; location?: RunError['location'] } {
  const loc = m.location;
  const where = loc ? `${path.basename(loc.file)}:${loc.line}:${loc.column + 1}: ` : '';
  const snippet = loc?.lineText ? `\n    ${loc.lineText.trim()}` : '';
  return {
    message: `${where}${m.text}${snippet}`,
    location: loc ? { file: path.resolve(loc.file), line: loc.line, column: loc.column + 1 } : undefined,
  };
}

/**
 * The first file of a learner bundle that it may not contain: anything outside the exercise folder (the folder
 * that holds the lesson folders, e.g. llm-lab/), and any solution, checks or mistake catalogue wherever it is
 * (unless it is the entry itself, as when a test checks a solution in place).
 */
export function outsideExerciseFolder(entry: string, inputs: readonly string[]): string | undefined {
  const folder = path.dirname(path.dirname(path.resolve(entry)));
  return inputs.find((f) => f !== path.resolve(entry) && (
    path.relative(folder, f).startsWith('..') || path.isAbsolute(path.relative(folder, f))
    || /(^|[\\/])node_modules[\\/]/.test(path.relative(folder, f))
    || /\.(solution|checks)\.ts$|(^|[\\/])mistakes\.ts$/.test(f)));
}

/**
 * The exercise's reference solution, bundled for the runner's explanation of a failure (diverge.ts): its imports of
 * earlier learner files (`../02-attention/attention`) are taken from those lessons' solutions instead, so the
 * reference computes with references all the way down. Undefined when there is none or it does not build.
 */
export async function bundleReference(checksFile: string): Promise<BundledCode | undefined> {
  const solution = checksFile.replace(/\.checks\.ts$/, '.solution.ts');
  if (solution === checksFile || !existsSync(solution)) return undefined;
  return cachedLessonBuild(`reference:${path.resolve(solution)}`, solution, () => buildReference(solution));
}

async function buildReference(solution: string): Promise<{ value: BundledCode | undefined; inputs?: string[] }> {
  const esbuild = esbuildApi();
  const filename = path.join(path.dirname(solution), `.${path.basename(solution, '.ts')}.llm-lab-reference.js`);
  try {
    const out = await esbuild.build({
      entryPoints: [solution], outfile: filename, bundle: true, write: false, format: 'cjs', platform: 'node', metafile: true,
      target: 'node20', logLevel: 'silent', external: ['@llm-lab/*', 'onnxruntime-node', 'esbuild'], tsconfigRaw: {},
      plugins: [{
        name: 'earlier-solutions',
        setup(build) {
          build.onResolve({ filter: /^\.\.?\// }, (args) => {
            const base = path.resolve(args.resolveDir, args.path).replace(/\.ts$/, '');
            const sibling = `${base}.solution.ts`;
            return existsSync(sibling) && existsSync(`${base}.ts`) ? { path: sibling } : undefined;
          });
        },
      }],
    });
    return { value: { code: out.outputFiles[0].text, filename }, inputs: Object.keys(out.metafile?.inputs ?? {}).map((f) => path.resolve(f)) };
  } catch {
    return { value: undefined };
  }
}

export type ExerciseBundle =
  | { ok: true; checks: BundledCode; learner: BundledCode | { error: RunError }; source: string }
  | { ok: false; error: RunError };

/** Bundles only the lesson's checks (for a plan-only job: no learner file is read). */
export async function bundleChecks(checksFile: string): Promise<{ ok: true; checks: BundledCode } | { ok: false; error: RunError }> {
  const checks = await buildLesson(checksFile);
  if (checks.ok) return { ok: true, checks: checks.bundle };
  return { ok: false, error: { kind: 'setup', message: `the lesson's checks do not compile (a bug in the lesson, not your code): ${describe(checks.errors[0]).message}` } };
}

/** Bundles the checks and the learner file; a learner syntax error is data, a broken lesson is a setup error. */
export async function bundleExercise(learnerFile: string, checksFile: string): Promise<ExerciseBundle> {
  const [checks, learner, source] = await Promise.all([buildLesson(checksFile), build(learnerFile), readFile(learnerFile, 'utf8').catch(() => undefined)]);
  if (!checks.ok) {
    const { message } = describe(checks.errors[0]);
    return { ok: false, error: { kind: 'setup', message: `the lesson's checks do not compile (a bug in the lesson, not your code): ${message}` } };
  }
  if (source === undefined) return { ok: false, error: { kind: 'setup', message: `cannot read ${learnerFile}` } };
  if (learner.ok) {
    const outside = outsideExerciseFolder(learnerFile, learner.inputs);
    if (outside) {
      const rel = path.relative(path.dirname(learnerFile), outside);
      return { ok: true, checks: checks.bundle, source, learner: { error: { kind: 'syntax', message: `your file imports ${rel}: an exercise may import only your own files in your exercise folder (not solutions, checks or files elsewhere)` } } };
    }
    return { ok: true, checks: checks.bundle, learner: learner.bundle, source };
  }
  const first = describe(learner.errors[0]);
  const more = learner.errors.length > 1 ? ` (and ${learner.errors.length - 1} more)` : '';
  return { ok: true, checks: checks.bundle, source, learner: { error: { kind: 'syntax', message: `your file does not compile: ${first.message}${more}`, location: first.location } } };
}
