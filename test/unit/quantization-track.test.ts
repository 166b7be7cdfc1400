/**
 * The quantization lesson (quantization/quantize), beyond its mistake cases and what the lesson suite already runs:
 * the two bundled-model checks of the reference solution, run once in English, with their wall times, the load
 * average, and the numbers of the closing note printed (the quantization table: scheme, bytes, validation loss; GPTQ
 * against round-to-nearest on h.1.mlp.fc). It also asserts what the table must show: int8 costs the model at most
 * 0.01 nats, int4 with groups of 32 at most 0.05, and smaller groups cost more bytes. Set LLM_LAB_QUANTIZATION_FULL=1
 * to run every check (and the scaffold, in zh-cn) here too.
 * Run alone with `node test/unit.mjs quantization-track`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkId } from '../../src/core/grading';
import { runInWorker } from '../../src/harness/host';
import { WORKER, printRun, referenceSolution } from './helpers';

const EXERCISE = 'quantization/quantize';
const MODEL_CHECKS = [
  "gptqQuantize beats round-to-nearest on the bundled model's h.1.mlp.fc (output error on held-out text)",
  'the bundled model quantized per scheme: bytes and validation loss vs float32',
];

test('quantization: the bundled-model checks of the reference, timed, with the quantization table for the closing note', async () => {
  const { exercise, file } = await referenceSolution(EXERCISE, 'llm-lab-quantization-');
  const full = !!process.env.LLM_LAB_QUANTIZATION_FULL;
  for (const locale of full ? ['en', 'zh-cn'] as const : ['en'] as const) {
    const started = Date.now();
    const r = await runInWorker({ exerciseId: EXERCISE, learnerFile: file, checksFile: exercise.checks, locale, only: full ? undefined : MODEL_CHECKS.map(checkId) },
      { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
    assert.equal(r.error, undefined, r.error?.message);
    const ran = r.checks.filter((c) => c.status !== 'skipped');
    assert.equal(ran.length, full ? 7 : 2);
    printRun(r, started, { tag: locale, artifacts: locale === 'en' });
    assert.deepEqual(ran.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
    if (locale !== 'en') continue;
    const tables = r.checks.flatMap((c) => c.artifacts).filter((a) => a.kind === 'table');
    const table = tables.find((a) => a.title.includes('block matrices quantized'));
    assert.ok(table, 'the quantization table');
    const [fp32, int8t, int8c, int4g64, int4g32] = table.rows.map((row) => ({ bytes: Number(row[1]), loss: Number(row[2]) }));
    assert.ok(Math.abs(int8t.loss - fp32.loss) <= 0.01 && Math.abs(int8c.loss - fp32.loss) <= 0.01, 'int8 costs at most 0.01 nats');
    assert.ok(int4g32.loss - fp32.loss <= 0.05 && int4g64.loss - fp32.loss <= 0.05, 'int4 with groups costs at most 0.05 nats');
    assert.ok(fp32.bytes > int8c.bytes && int8c.bytes > int8t.bytes && int8t.bytes > int4g32.bytes && int4g32.bytes > int4g64.bytes, 'bytes ordered');
    const gptq = tables.find((a) => a.title.includes('h.1.mlp.fc'));
    assert.ok(gptq && Number(gptq.rows[1][2]) < 0.9, 'GPTQ beats round-to-nearest by 10 % or more');
  }
  if (!full) return;
  const scaffold = await runInWorker({ exerciseId: EXERCISE, learnerFile: exercise.scaffold, checksFile: exercise.checks, locale: 'zh-cn' }, { workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024 });
  assert.equal(scaffold.error, undefined, scaffold.error?.message);
  assert.deepEqual(scaffold.checks.filter((c) => c.status === 'passed').map((c) => c.name), []);
  for (const c of scaffold.checks) assert.match(c.message ?? '', /尚未实现.*TODO/, `${c.name} should fail because of a TODO, got: ${c.message}`);
});
