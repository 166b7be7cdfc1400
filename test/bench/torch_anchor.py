"""PyTorch side of `npm run bench` (test/bench/torch.ts starts it; never used by tests or CI).

Reads one JSON command per line on stdin and answers each with one JSON line on stdout:
  {"cmd": "hello"}                                   -> {"torch": version, "threads": default threads, "blas": ...}
  {"cmd": "model", "config": {...}, "B": 8, "T": 128, "lr": ..., "betas": [...], "weightDecay": ...}
                                                     -> {"parameters": n}
  {"cmd": "train", "steps": 3, "threads": 1}         -> {"ms_per_step": mean over the steps}
  {"cmd": "matmul", "m", "k", "n", "transA", "transB", "threads", "ms"}
                                                     -> {"seconds_per_call": best of one round of about ms ms}

The model is the kit's GPT (src/kit/gpt.ts, nanoGPT's model.py): token + position embeddings, pre-LayerNorm
blocks with separate q, k, v projections and attention written op by op, a tanh-GELU MLP, a final LayerNorm
and an LM head tied to the token embedding; trained as test/bench/model.ts trains the kit's: cross-entropy,
backward, gradient clipping to norm 1, AdamW.
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, C, nh):
        super().__init__()
        self.nh = nh
        self.q, self.k, self.v, self.proj = (nn.Linear(C, C) for _ in range(4))

    def forward(self, x):
        B, T, C = x.shape
        nh, hs = self.nh, C // self.nh
        q = self.q(x).view(B, T, nh, hs).transpose(1, 2)
        k = self.k(x).view(B, T, nh, hs).transpose(1, 2)
        v = self.v(x).view(B, T, nh, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        att = F.softmax(att.masked_fill(mask, float('-inf')), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, C, nh):
        super().__init__()
        self.ln_1, self.attn, self.ln_2 = nn.LayerNorm(C), Attention(C, nh), nn.LayerNorm(C)
        self.fc, self.mproj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mproj(F.gelu(self.fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self, V, blockSize, nLayer, nHead, nEmbd):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, nEmbd), nn.Embedding(blockSize, nEmbd)
        self.h = nn.ModuleList(Block(nEmbd, nHead) for _ in range(nLayer))
        self.ln_f = nn.LayerNorm(nEmbd)

    def forward(self, ids, targets):
        B, T = ids.shape
        x = self.wte(ids) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))


state = {}


def handle(cmd):
    if 'threads' in cmd:
        torch.set_num_threads(int(cmd['threads']))
    op = cmd['cmd']
    if op == 'hello':
        return {'torch': torch.__version__, 'threads': torch.get_num_threads(),
                'blas': 'OpenBLAS' if 'openblas' in torch.__config__.show().lower() else 'unknown'}
    if op == 'model':
        c = cmd['config']
        torch.manual_seed(1)
        model = GPT(c['vocabSize'], c['blockSize'], c['nLayer'], c['nHead'], c['nEmbd'])
        opt = torch.optim.AdamW(model.parameters(), lr=cmd['lr'], betas=tuple(cmd['betas']), weight_decay=cmd['weightDecay'])
        B, T, V = cmd['B'], cmd['T'], c['vocabSize']
        g = torch.Generator().manual_seed(2)
        x = torch.randint(0, V, (B, T), generator=g)
        y = torch.randint(0, V, (B, T), generator=g)
        state['train'] = (model, opt, x, y)
        return {'parameters': sum(p.numel() for p in model.parameters())}
    if op == 'train':
        model, opt, x, y = state['train']

        def step():
            loss = model(x, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        step()  # warm (first call after a change of threads)
        t0 = time.perf_counter()
        for _ in range(cmd['steps']):
            step()
        return {'ms_per_step': (time.perf_counter() - t0) * 1000 / cmd['steps']}
    if op == 'matmul':
        m, k, n = cmd['m'], cmd['k'], cmd['n']
        a = torch.rand(k, m) * 2 - 1 if cmd['transA'] else torch.rand(m, k) * 2 - 1
        b = torch.rand(n, k) * 2 - 1 if cmd['transB'] else torch.rand(k, n) * 2 - 1
        opA = a.t() if cmd['transA'] else a
        opB = b.t() if cmd['transB'] else b
        c = torch.empty(m, n)
        for _ in range(3):
            torch.matmul(opA, opB, out=c)
        calls, t0 = 0, time.perf_counter()
        t = t0
        while t - t0 < cmd['ms'] / 1000:
            torch.matmul(opA, opB, out=c)
            calls += 1
            t = time.perf_counter()
        return {'seconds_per_call': (t - t0) / calls}
    raise ValueError(f'unknown command {op}')


for line in sys.stdin:
    try:
        reply = handle(json.loads(line))
    except Exception as e:  # report, keep serving
        reply = {'error': f'{type(e).__name__}: {e}'}
    sys.stdout.write(json.dumps(reply) + '\n')
    sys.stdout.flush()
