/**
 * The retrieval lesson (rag/retrieve), beyond its mistake cases:
 * - the course's data and references are what the lesson text says: 20 chapters, 40 questions of 5 words each, 129
 *   chunks of 40 words (overlap 10), Lucene's idf positive where Robertson–Spärck Jones' is negative, and the BM25
 *   variants the check names all distinct from the reference on its inputs' kind of data;
 * - the reference solution passes every check, in English, with each check's wall time, the recall@k table of the
 *   evaluation and the load average printed (the numbers of the closing note; the lesson suite runs the reference in
 *   Chinese, and this is the one other run of the evaluation); the quick checks' total time is printed;
 * - the evaluation can fail: a BM25 retriever that ranks the worst chunk first fails it (only that check runs).
 * Run alone with `node test/unit.mjs rag-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runInWorker } from '../../src/harness/host';
import { RAG_CHUNK, RAG_QUESTION_WORDS, type RagChapter, ragBm25, ragChunkWords, ragChunks, ragQuestions, ragTokenize } from '../../src/course/apps/rag';
import { LESSONS, WORKER, englishPlan, printRun, referenceSolution } from './helpers';

const EXERCISE = 'rag/retrieve';
const EVAL = 'retrieval evaluation (live)';

test('rag: the chapters, questions and chunks are what the lesson says; the BM25 variants differ from the reference', () => {
  const { chapters } = JSON.parse(readFileSync(path.join(LESSONS, '15c-rag', 'chapters.json'), 'utf8')) as { chapters: RagChapter[] };
  assert.equal(chapters.length, 20);
  assert.ok(chapters.every((c) => c.text.length <= 1250 && c.text.length > 600), 'every opening is cut before 1250 characters and is not tiny');
  const questions = ragQuestions(chapters);
  assert.equal(questions.length, 40);
  assert.ok(questions.every((q) => q.text.split(' ').length === RAG_QUESTION_WORDS));
  // every question is a partial quote: its words occur consecutively in its chapter
  for (const q of questions) {
    const words = ragTokenize(chapters.find((c) => c.chapter === q.chapter)!.text).join(' ');
    assert.ok(words.includes(q.text), `"${q.text}" is not a quote of chapter ${q.chapter}`);
  }
  const chunks = ragChunks(chapters, (t) => ragChunkWords(t, RAG_CHUNK.size, RAG_CHUNK.overlap));
  assert.equal(chunks.length, 129);
  assert.deepEqual(ragChunkWords('a b c d e f g h i j k', 4, 1), ['a b c d', 'd e f g', 'g h i j', 'j k']);
  // a word in most documents: Lucene's idf stays positive, Robertson–Spärck Jones' goes negative
  const docs = [['whale', 'sea'], ['whale'], ['whale', 'ship'], ['ship', 'whale', 'whale'], ['sea']];
  const lucene = ragBm25(['whale'], docs);
  const rsj = ragBm25(['whale'], docs, 1.5, 0.75, 'idf-no-plus-one');
  assert.ok(lucene[0] > 0 && rsj[0] < 0);
  for (const v of ['no-k1-plus-1', 'idf-no-plus-one', 'rank-bm25-idf', 'unique-query'] as const) {
    const a = ragBm25(['whale', 'sea', 'sea'], docs);
    const b = ragBm25(['whale', 'sea', 'sea'], docs, 1.5, 0.75, v);
    assert.ok(Array.from(a).some((x, i) => Math.abs(x - b[i]) > 1e-3), `${v} gives the reference's scores`);
  }
});

test('rag: the reference passes every check (each timed, the recall@k table printed); a BM25 that ranks backwards fails the evaluation', async () => {
  const { exercise, file } = await referenceSolution(EXERCISE, 'llm-lab-rag-');
  const started = Date.now();
  const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale: 'en' }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048 });
  assert.equal(r.error, undefined, r.error?.message);
  printRun(r, started);
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const quick = r.checks.filter((c) => !c.name.startsWith(EVAL));
  console.log(`  quick checks together: ${quick.reduce((s, c) => s + (c.durationMs ?? 0), 0).toFixed(0)} ms (speed is the bench's to measure, not asserted here)`);

  const plan = await englishPlan(exercise.checks);
  const live = plan.find((p) => p.name.startsWith(EVAL));
  assert.ok(live);
  const source = readFileSync(file, 'utf8');
  const from = "if (opts.method === 'bm25') return rankScores(bm25Scores(q, docs), k);";
  assert.ok(source.includes(from));
  writeFileSync(file, source.replace(from, "if (opts.method === 'bm25') return rankScores(bm25Scores(q, docs).map((s) => -s), k);"));
  const bad = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale: 'en', only: [live.id] }, { workerPath: WORKER, timeoutMs: 120_000, memoryMb: 2048 });
  assert.equal(bad.error, undefined, bad.error?.message);
  const outcome = bad.checks.find((c) => c.id === live.id)!;
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.message ?? '', /recall differs from the reference's for BM25/);
  console.log(`  BM25 backwards: ${outcome.message?.slice(0, 160)}…`);
});
