/**
 * The parallel lesson's mistake cases and library variants (see test/unit/catalogue.ts). Each case puts one
 * catalogued bug into lessons/14g-parallel/parallel.solution.ts; the check that names it must fail with the
 * catalogue's message, in English and in Chinese. The rank checks run in worker threads (ctx.threads).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';
import { LESSONS } from '../helpers';
import { PARALLEL_MISTAKES } from '../../../lessons/14g-parallel/mistakes';

const EX = 'parallel/parallel';
const RING = 'ringAllReduce: every rank gets the sum';
const AVG = 'averageGradients: the mean';
const TP = 'tensorParallelMLP: the full MLP';
const DP = 'data-parallel training (live)';
const ZERO = 'zeroLedger: bytes of parameters';
const PIPE = 'gpipeSchedule:';

const SOLUTION = readFileSync(path.join(LESSONS, '14g-parallel', 'parallel.solution.ts'), 'utf8');
const GPIPE_FN = SOLUTION.slice(SOLUTION.indexOf('export function gpipeSchedule'), SOLUTION.indexOf('export function zeroLedger'));
/** PipeDream-Flush's 1F1B (Megatron-LM's default schedule): a backward as soon as one is ready, at most p − s forwards in flight at stage s. */
const ONE_F_ONE_B = `export function gpipeSchedule(stages: number, micro: number): Slot[][] {
  const doneAt = new Map<string, number>();
  const ready = (key: string, tick: number) => (doneAt.get(key) ?? Infinity) < tick;
  const forwards = new Array<number>(stages).fill(0);
  const backwards = new Array<number>(stages).fill(0);
  const grid: Slot[][] = [];
  while (doneAt.size < 2 * stages * micro) {
    const tick = grid.length;
    const row: Slot[] = [];
    for (let s = 0; s < stages; s++) {
      const b = backwards[s];
      const f = forwards[s];
      let slot: Slot = null;
      if (b < micro && ready(\`F\${s}:\${b}\`, tick) && (s === stages - 1 || ready(\`B\${s + 1}:\${b}\`, tick))) slot = { micro: b, pass: 'B' };
      else if (f < micro && f - b < stages - s && (s === 0 || ready(\`F\${s - 1}:\${f}\`, tick))) slot = { micro: f, pass: 'F' };
      row.push(slot);
    }
    row.forEach((slot, s) => {
      if (!slot) return;
      doneAt.set(\`\${slot.pass}\${s}:\${slot.micro}\`, tick);
      if (slot.pass === 'F') forwards[s]++; else backwards[s]++;
    });
    grid.push(row);
  }
  return grid;
}

`;

const SEND_RECV = `    comm.send(next, out.slice(chunkStart(n, p, c), chunkStart(n, p, c + 1)));
    const r = mod(rank - s - 1);
    const got = comm.recv(prev);`;
const RECV_SEND = `    const r = mod(rank - s - 1);
    const got = comm.recv(prev);
    comm.send(next, out.slice(chunkStart(n, p, c), chunkStart(n, p, c + 1)));`;
const DIVIDE = 'for (let i = 0; i < sum.length; i++) sum[i] /= comm.world;';
const TP_TAIL = `  const y = ringAllReduce(comm, Float32Array.from(partial));
  for (let t = 0; t < tokens; t++) for (let j = 0; j < d; j++) y[t * d + j] += shard.b2[j];`;

export const CASES: MistakeCase[] = mistakeCases(PARALLEL_MISTAKES, EX, [
  { key: 'deadlock', check: RING, edits: [[SEND_RECV, RECV_SEND]] },
  { key: 'averaged-twice', check: AVG, edits: [[DIVIDE, 'for (let i = 0; i < sum.length; i++) sum[i] /= comm.world * comm.world;']] },
  { key: 'averaged-twice', name: 'divided before and after the all-reduce, seen by the live run', check: DP,
    edits: [['const sum = ringAllReduce(comm, grad);', 'const sum = ringAllReduce(comm, grad.map((g) => g / comm.world));']] },
  { key: 'not-averaged', check: AVG, edits: [[DIVIDE, '']] },
  { key: 'not-averaged', name: 'summed gradients, seen by the live run', check: DP, edits: [[DIVIDE, '']] },
  { key: 'bias-every-rank', check: TP, edits: [[TP_TAIL, `  const local = Float32Array.from(partial);
  for (let t = 0; t < tokens; t++) for (let j = 0; j < d; j++) local[t * d + j] += shard.b2[j];
  const y = ringAllReduce(comm, local);`]] },
  { key: 'two-allreduces', check: TP, edits: [['  const partial = matmul(', '  ringAllReduce(comm, Float32Array.from(hidden.data as Float32Array));\n  const partial = matmul(']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'Megatron-LM', name: 'the 1F1B schedule (PipeDream-Flush): same bubble as GPipe, fewer activations in flight', exercise: EX, check: PIPE,
    edits: [[GPIPE_FN, ONE_F_ONE_B]] },
  { library: 'Megatron-LM', name: 'the row-parallel bias added on rank 0 only, before the all-reduce', exercise: EX, check: TP,
    edits: [[TP_TAIL, `  const local = Float32Array.from(partial);
  if (comm.rank === 0) for (let t = 0; t < tokens; t++) for (let j = 0; j < d; j++) local[t * d + j] += shard.b2[j];
  const y = ringAllReduce(comm, local);`]] },
  { library: 'DeepSpeed', name: 'ZeRO slices padded to a multiple of the world size (every rank ⌈numel/world⌉ values)', exercise: EX, check: ZERO,
    edits: [['const shard = Math.max(0, Math.min(numel, (r + 1) * shardSize) - r * shardSize);', 'const shard = shardSize;']] },
];
