/**
 * The precision lesson beyond its mistake catalogue (test/unit/mistakes/precision.ts has those):
 * - The course's fp16 reference is right on every one of the 65,536 half-precision bit patterns (each value maps back
 *   to its own pattern) and on every midpoint between neighbours (ties to the even pattern, the top one to Infinity);
 *   the reference solution, written another way (doubles, not bits), agrees with it there and on random float32 bit
 *   patterns, and so does its bf16 with the course's.
 * - A full run of the reference solution through the runner passes every check; the live curve belongs to the
 *   training check and arrives during it; the figures and times are printed (the lesson's closing numbers).
 * Times are printed, not asserted.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { precisionBf16Ref, precisionFp16Ref, precisionHalfBits, precisionHalfValue, precisionSameBits } from '../../src/course/tokens/precision';
import type { Artifact } from '../../src/core/grading/result';
import { findExercise, loadCatalog } from '../../src/core/lessons/catalog';
import { prerequisiteFiles, solutionFolder } from '../../src/core/workspace';
import { runInWorker } from '../../src/harness/host';
import { toBf16, toFp16 } from '../../lessons/06e-precision/precision.solution';
import { LESSONS, WORKER, tempDir } from './helpers';

test('precision: the fp16 reference on every half bit pattern and every midpoint; the solution agrees, and on random bits', () => {
  const values: number[] = [];
  const mids: number[] = [];
  const midWant: number[] = [];
  for (let h = 0; h < 0x10000; h++) {
    const v = precisionHalfValue(h);
    if (Number.isNaN(v)) continue;
    assert.equal(precisionHalfBits(v), h, `half 0x${h.toString(16)} (${v}) does not map back to itself`);
    values.push(v);
    const e = (h >>> 10) & 0x1f;
    if (e === 31 || (h & 0x7fff) === 0x7bff) continue; // Infinity; the largest finite value (its midpoint is below)
    const next = precisionHalfValue(h + 1); // the neighbour away from zero (same sign)
    const mid = (v + next) / 2; // exact in float32: 12 significant bits
    assert.equal(Math.fround(mid), mid);
    mids.push(mid);
    midWant.push((h & 1) === 0 ? v : next); // the tie goes to the even pattern
  }
  mids.push(65520, -65520);
  midWant.push(Infinity, -Infinity); // between 65504 (odd pattern 0x7bff) and 2^16 (even, which is Infinity)
  const vs = Float32Array.from(values);
  assert.equal(precisionSameBits(precisionFp16Ref(vs), vs), -1, 'an fp16 value does not round to itself');
  const ms = Float32Array.from(mids);
  const mw = Float32Array.from(midWant);
  const i = precisionSameBits(precisionFp16Ref(ms), mw);
  assert.equal(i, -1, `midpoint ${ms[i]} rounds to ${precisionFp16Ref(ms)[i]}, expected ${mw[i]}`);
  // the reference solution, by another method
  assert.equal(precisionSameBits(toFp16(vs), vs), -1);
  assert.equal(precisionSameBits(toFp16(ms), mw), -1);
  let state = 12345;
  const bits = new Uint32Array(100_000);
  for (let k = 0; k < bits.length; k++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bits[k] = state;
  }
  const random = new Float32Array(bits.buffer);
  assert.equal(precisionSameBits(toFp16(random), precisionFp16Ref(random)), -1);
  assert.equal(precisionSameBits(toBf16(random), precisionBf16Ref(random)), -1);
  console.log(`precision: ${values.length} fp16 values and ${mids.length} midpoints exact; 100000 random float32 bit patterns agree (fp16 and bf16)`);
});

test('precision/scaling: a full run passes, trains live, and prints its figures', async () => {
  const cat = await loadCatalog(LESSONS);
  const found = findExercise(cat, 'precision/scaling');
  assert.ok(found);
  const folder = path.join(tempDir('llm-lab-precision-'), 'run');
  const learnerFile = await solutionFolder(folder, cat, found.exercise);
  const live: { id: string; artifact: Artifact }[] = [];
  const t0 = Date.now();
  const r = await runInWorker({
    exerciseId: 'precision/scaling', learnerFile, checksFile: found.exercise.checks, locale: 'en', prerequisites: prerequisiteFiles(folder, cat, found.exercise),
  }, {
    workerPath: WORKER, timeoutMs: 60_000, memoryMb: 1024,
    onEvent: (event) => { if (event.type === 'check-progress') live.push({ id: event.id, artifact: event.artifact }); },
  });
  const wall = Date.now() - t0;
  assert.equal(r.error, undefined, r.error?.message);
  assert.deepEqual(r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.name}: ${c.message}`), []);
  const training = r.checks.find((c) => c.name.startsWith('mixed-precision training'))!;
  assert.ok(live.length >= 1, 'no live update');
  assert.deepEqual([...new Set(live.map((l) => l.id))], [training.id], 'the live curve belongs to the training check');
  const table = training.artifacts.find((a) => a.kind === 'table');
  assert.ok(table?.kind === 'table');
  for (const c of r.checks) console.log(`precision: ${Math.round(c.durationMs).toString().padStart(5)} ms  ${c.name}`);
  console.log(`precision: after 60 steps ${table.rows.map((row) => `${row[0]}: loss ${row[1]}, worst gap ${row[2]}`).join('; ')}`);
  console.log(`precision: whole run ${wall} ms (wall, incl. the worker), load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
});
