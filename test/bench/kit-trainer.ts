/**
 * The kit's training step as learners run it: this file is bundled by esbuild (as dist/worker.js bundles the kit)
 * and run as a child of the model bench, one JSON command per line on stdin, one JSON answer per line on stdout,
 * like the PyTorch anchor (torch_anchor.py). Run through tsx instead, the kit's module imports become getter calls
 * in its hot loops (about 10 % slower than the shipped code), so the bench would measure the bench, not the kit.
 *
 *   {"cmd":"model","config":{...},"B":8,"T":128,"lr":1e-4,"betas":[0.9,0.95],"weightDecay":0.1}  -> {"parameters": n}
 *   {"cmd":"train","steps":3,"threads":1}                                                          -> {"ms_per_step": x}
 *   {"cmd":"attention","B":8,"T":128,"nEmbd":128,"nHead":4,"steps":5,"threads":2}                 -> {"fused_ms": x, "op_by_op_ms": y}
 * The last times one CausalSelfAttention layer, forward and backward, both ways nn.ts can run it: the fused op
 * (ops/attention.ts) and, with a recorder (which asks for the probabilities), the op-by-op lines.
 */
import { createInterface } from 'node:readline';
import { AdamW, CausalSelfAttention, GPT, Rng, Tensor, clipGradNorm } from '../../src/kit';
import { setMatmulThreads, startMatmulWorkers } from '../../src/kit/kernels';

interface Training { step(): void }
let training: Training | undefined;

async function handle(cmd: Record<string, unknown>): Promise<Record<string, number>> {
  if (cmd.cmd === 'hello') return {};
  if (cmd.cmd === 'model') {
    const config = cmd.config as ConstructorParameters<typeof GPT>[0];
    const B = cmd.B as number, T = cmd.T as number;
    const gpt = new GPT(config, new Rng(1));
    const optimizer = new AdamW(gpt.parameters(), { lr: cmd.lr as number, betas: cmd.betas as [number, number], weightDecay: cmd.weightDecay as number });
    const rng = new Rng(2);
    const x = Int32Array.from({ length: B * T }, () => rng.randint(0, config.vocabSize));
    const y = Int32Array.from({ length: B * T }, () => rng.randint(0, config.vocabSize));
    training = {
      step() {
        const { loss } = gpt.forward(x, B, T, { targets: y });
        optimizer.zeroGrad();
        loss!.backward();
        clipGradNorm(gpt.parameters(), 1);
        optimizer.step();
      },
    };
    return { parameters: gpt.numParameters() };
  }
  if (cmd.cmd === 'attention') {
    const B = cmd.B as number, T = cmd.T as number, C = cmd.nEmbd as number, steps = cmd.steps as number;
    const rng = new Rng(3);
    const attn = new CausalSelfAttention(C, cmd.nHead as number, rng);
    const x = new Tensor(Float32Array.from({ length: B * T * C }, () => rng.normal(0, 1)), [B, T, C], true);
    const g = Float32Array.from({ length: B * T * C }, () => rng.normal(0, 1));
    setMatmulThreads(cmd.threads as number);
    await startMatmulWorkers();
    const time = (opByOp: boolean): number => {
      const step = (): void => {
        attn.zeroGrad();
        x.grad = null;
        attn.forward(x, opByOp ? () => {} : undefined).backward(g);
      };
      step();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) step();
      return (performance.now() - t0) / steps;
    };
    let fused = Infinity, opByOp = Infinity;
    for (let round = 0; round < 3; round++) [fused, opByOp] = [Math.min(fused, time(false)), Math.min(opByOp, time(true))];
    return { fused_ms: fused, op_by_op_ms: opByOp };
  }
  if (cmd.cmd === 'train') {
    if (!training) throw new Error('train before model');
    setMatmulThreads(cmd.threads as number);
    await startMatmulWorkers();
    training.step(); // warm (the first step after a change of threads)
    const steps = cmd.steps as number;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) training.step();
    return { ms_per_step: (performance.now() - t0) / steps };
  }
  throw new Error(`unknown command ${String(cmd.cmd)}`);
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    try {
      process.stdout.write(`${JSON.stringify(await handle(JSON.parse(line) as Record<string, unknown>))}\n`);
    } catch (e) {
      process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
    }
  });
});
lines.on('close', () => { void queue.then(() => process.exit(0)); });
