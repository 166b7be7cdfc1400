/**
 * llm-lab: the command-line face of the same core the extension uses.
 *
 *   llm-lab list [--json]
 *   llm-lab check <exercise-id> [--file <path>] [--solution] [--folder <dir>] [--only <check-id,...>]
 *                 [--lang en|zh-cn] [--timeout <ms>] [--json]
 *
 * --solution checks the reference solution laid out as a learner folder (in a temporary folder, with the
 * solutions of the exercises it builds on), exactly as a learner who pasted the solutions would have it.
 *
 * Exit codes: 0 all checks passed, 1 a check failed, 2 usage or setup error.
 */
import * as path from 'node:path';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs, styleText } from 'node:util';
import type { Locale } from '../core/lessons/catalog';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_MS, type Install, install } from '../core/install';
import type { Style } from '../core/report';
import { RunnerPool } from '../harness/warm';
import type { FromWorker } from '../harness/protocol';

const USAGE = `usage:
  llm-lab list [--json] [--lang en|zh-cn]
  llm-lab check <exercise-id> [--file <path>] [--solution] [--folder <dir>] [--only <check-id,...>]
                [--lang en|zh-cn] [--timeout <ms>] [--json]`;

class UsageError extends Error {}

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const colored: Style | undefined = color
  ? { ok: (s) => styleText('green', s), bad: (s) => styleText('red', s), dim: (s) => styleText('gray', s) }
  : undefined;

/** LLM_LAB_TRACE=1: when each phase of a command ended, in ms since the process started (on stderr). */
const tracing = process.env.LLM_LAB_TRACE === '1';
function trace(what: string): void {
  if (tracing) process.stderr.write(`[trace ${performance.now().toFixed(1).padStart(7)} ms] ${what}\n`);
}

async function main(argv: string[]): Promise<number> {
  trace('cli loaded');
  if (tracing) process.on('exit', () => trace('exit'));
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      json: { type: 'boolean' }, solution: { type: 'boolean' }, file: { type: 'string' }, folder: { type: 'string' },
      timeout: { type: 'string' }, lang: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(USAGE); return 0; }
  const [command, id] = positionals;
  const inst = install(path.resolve(__dirname, '..'));
  const lang = (values.lang ?? 'en') as Locale;
  if (lang !== 'en' && lang !== 'zh-cn') throw new UsageError(`unknown --lang ${lang}: use en or zh-cn`);
  // A check's runner process starts now, so that it boots while the catalog is read and the code bundled (it is
  // the same fresh process a run would start; it is killed on the way out whatever happens, and would end on its
  // own with this process anyway).
  const pool = command === 'check' && existsSync(inst.worker) ? new RunnerPool() : undefined;
  pool?.prepare({ workerPath: inst.worker, memoryMb: DEFAULT_MEMORY_MB, locale: lang });
  trace('runner starting');
  try {
    return await command_(command, id, values, inst, lang, pool);
  } finally {
    pool?.dispose();
  }
}

type Values = { json?: boolean; solution?: boolean; file?: string; folder?: string; timeout?: string; lang?: string; only?: string };

async function command_(command: string | undefined, id: string | undefined, values: Values, inst: Install, lang: Locale, pool: RunnerPool | undefined): Promise<number> {
  // Loaded now, not with this file: the runner process above starts first (it is the longest wait of a check).
  const [{ findExercise, formatProblem, loadCatalog }, { catalogFor }, { formatResult, plain }, { DEFAULT_FOLDER, learnerFile, prerequisiteFiles, solutionFolder }, { runInWorker }] = await Promise.all([
    import('../core/lessons/catalog'), import('./catalog'), import('../core/report'), import('../core/workspace'), import('../harness/host'),
  ]);
  const style = colored ?? plain;
  // A check reads only the lessons it needs (the whole catalog is most of a check's own time otherwise).
  const catalog = command === 'check' && id ? await catalogFor(inst.lessons, id, lang) : await loadCatalog(inst.lessons, lang);
  trace(`catalog (${catalog.lessons.length} lessons)`);
  for (const p of catalog.problems.filter((x) => x.severity === 'error')) console.error(`warning: ${formatProblem(p, inst.lessons)}`);

  if (command === 'list') {
    if (values.json) {
      console.log(JSON.stringify(catalog.lessons.map((l) => ({
        id: l.id, title: l.title, part: l.part, order: l.order, minutes: l.minutes,
        exercises: l.exercises.map((e) => ({ id: e.id, title: e.title, file: e.fileName })),
      })), null, 2));
    } else {
      for (const l of catalog.lessons) {
        console.log(`${l.part} · ${l.title}  (${l.minutes} min)`);
        for (const e of l.exercises) console.log(`  ${e.id.padEnd(28)} ${e.title}`);
      }
    }
    return 0;
  }

  if (command === 'check') {
    if (!id) throw new UsageError('check needs an exercise id (see `llm-lab list`)');
    const found = findExercise(catalog, id);
    if (!found) throw new UsageError(`no exercise "${id}"; known: ${catalog.lessons.flatMap((l) => l.exercises.map((e) => e.id)).join(', ') || 'none'}`);
    if (values.file && values.solution) throw new UsageError('use either --file or --solution');
    const scratch = values.solution ? mkdtempSync(path.join(tmpdir(), 'llm-lab-solution-')) : undefined;
    const folder = scratch ?? (values.file ? path.dirname(path.dirname(path.resolve(values.file))) : path.resolve(values.folder ?? DEFAULT_FOLDER));
    try {
      const file = scratch ? await solutionFolder(scratch, catalog, found.exercise)
        : values.file ? path.resolve(values.file)
        : learnerFile(folder, found.lesson, found.exercise);
      if (!existsSync(file)) throw new UsageError(`no file at ${file}: open the exercise in VS Code first, or pass --file <path> (or --solution)`);
      const timeoutMs = values.timeout ? Number(values.timeout) : DEFAULT_TIMEOUT_MS;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds`);
      if (!existsSync(inst.worker)) throw new UsageError(`${inst.worker} is missing: run \`npm run build\` first`);
      const status = liveStatus();
      const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
      trace('learner file ready');
      const result = await runInWorker(
        { exerciseId: id, learnerFile: file, checksFile: found.exercise.checks, locale: lang, only,
          prerequisites: prerequisiteFiles(folder, catalog, found.exercise) },
        { workerPath: inst.worker, timeoutMs, memoryMb: DEFAULT_MEMORY_MB, pool, onEvent: (e) => {
          if (e.type === 'ready' || e.type === 'plan' || e.type === 'finished') trace(`runner: ${e.type}`);
          status?.onEvent(e);
        } },
      );
      trace('result');
      status?.clear();
      console.log(values.json ? JSON.stringify(result, null, 2) : formatResult(result, style, lang));
      if (result.error?.kind === 'setup') return 2;
      return result.status === 'passed' ? 0 : 1;
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
  }
  throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
}

/**
 * On a terminal, one status line (on stderr, so --json output stays clean) for the check that is running
 * and, for a training check, the latest point of each live curve: "training… train loss 2.31 (step 120)".
 */
function liveStatus(): { onEvent(e: FromWorker): void; clear(): void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  const names = new Map<string, string>();
  let line = '';
  const show = (text: string) => {
    const width = Math.max(20, (process.stderr.columns || 80) - 1);
    const next = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    process.stderr.write(`\r${next.padEnd(line.length)}`);
    line = next;
  };
  const onEvent = (e: FromWorker): void => {
    if (e.type === 'plan') for (const c of e.checks) names.set(c.id, c.name);
    else if (e.type === 'check-started') show(`… ${names.get(e.id) ?? e.id}`);
    else if (e.type === 'check-progress' && e.artifact.kind === 'curve') {
      const { xLabel, series } = e.artifact;
      const points = series.filter((s) => s.x.length).map((s) => `${s.name} ${s.y[s.y.length - 1].toFixed(4)} (${xLabel} ${s.x[s.x.length - 1]})`);
      show(`… ${names.get(e.id) ?? e.id}: ${points.join(', ')}`);
    }
  };
  const clear = (): void => {
    if (line) process.stderr.write(`\r${' '.repeat(line.length)}\r`);
    line = '';
  };
  return { onEvent, clear };
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`llm-lab: ${(e as Error).message}${usage ? `\n${USAGE}` : ''}`);
    process.exitCode = 2;
  },
);
