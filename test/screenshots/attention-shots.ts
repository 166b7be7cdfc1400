/**
 * Screenshots of the attention track's results (lessons 2-4), for capture.ts: every layer's and head's
 * attention drawn from the learner's own attention, the next-character bars and the greedy text next to
 * onnxruntime's, and a failed run where the texts part ways. Real runs of the real checks; the learner
 * files are the reference solutions (one with a catalogued bug put in).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { Catalog, Exercise } from '../../src/core/lessons/catalog';
import type { RunResult } from '../../src/core/grading/result';
import type { Strings, ToWebview } from '../../src/webview/messages';

export interface Shot {
  name: string;
  messages: ToWebview[];
  height: number;
  /** Runs after the page has drawn: open a check's details, hover a cell, scroll to what matters. */
  prepare(tab: Page): Promise<void>;
}

const openAndScroll = (checkIds: string[], hover = false) => async (tab: Page): Promise<void> => {
  for (const id of checkIds) await tab.$eval(`li[data-check="${id}"] details`, (d) => { (d as HTMLDetailsElement).open = true; });
  await tab.$eval(`li[data-check="${checkIds[0]}"]`, (li) => li.scrollIntoView({ block: 'start' }));
  if (hover) {
    // Pick layer 2, head 1 in the overview, then point at a cell of the big map to show the tooltip.
    const picks = await tab.$$(`li[data-check="${checkIds[0]}"] .hm-pick`);
    await picks[Math.min(9, picks.length - 1)]?.click();
    const box = await tab.$eval(`li[data-check="${checkIds[0]}"] svg.heatmap`, (svg) => {
      const r = svg.getBoundingClientRect();
      return { x: r.left, y: r.top, w: r.width, h: r.height };
    });
    await tab.mouse.move(box.x + box.w * 0.55, box.y + box.h * 0.72);
  }
};

/** Lesson 4's solution with the final LayerNorm removed, placed so its relative imports still resolve. */
function gptWithoutFinalNorm(exercise: Exercise, lessonsDir: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'llm-lab-shots-gpt-'));
  mkdirSync(path.join(dir, '04-gpt-forward'));
  const source = readFileSync(exercise.solution, 'utf8')
    .replace("x = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias'));", '')
    .replace("'../03-multi-head-attention/multihead.solution'", JSON.stringify(path.join(lessonsDir, '03-multi-head-attention', 'multihead.solution')));
  const file = path.join(dir, '04-gpt-forward', exercise.fileName);
  writeFileSync(file, source);
  return file;
}

export async function attentionShots(catalog: Catalog, lessonsDir: string, strings: Strings,
  run: (exercise: Exercise, file: string) => Promise<RunResult>): Promise<Shot[]> {
  const find = (id: string) => {
    const e = catalog.lessons.flatMap((l) => l.exercises).find((x) => x.id === id);
    if (!e) throw new Error(`no exercise ${id}`);
    return e;
  };
  const attention = find('attention/scaled-dot-product');
  const gpt = find('gpt-forward/model');
  const results = (title: string, result: RunResult): ToWebview[] => [{ type: 'init', page: 'results', strings }, { type: 'result', title, result }];
  return [
    {
      name: 'attention-heatmaps', height: 1000,
      messages: results(attention.title, await run(attention, attention.solution)),
      prepare: openAndScroll(['the-bundled-model-your-attention-reproduces-every-layer-and-head'], true),
    },
    {
      name: 'gpt-generation', height: 1000,
      messages: results(gpt.title, await run(gpt, gpt.solution)),
      prepare: openAndScroll(['the-bundled-model-your-logits-equal-onnxruntime-s-max-diff-1e-4', '50-greedy-characters-from-your-model-equal-onnxruntime-s']),
    },
    {
      name: 'gpt-generation-failed', height: 900,
      messages: results(gpt.title, await run(gpt, gptWithoutFinalNorm(gpt, lessonsDir))),
      prepare: async (tab) => { await tab.$eval('li[data-check="50-greedy-characters-from-your-model-equal-onnxruntime-s"]', (li) => li.scrollIntoView({ block: 'start' })); },
    },
  ];
}
