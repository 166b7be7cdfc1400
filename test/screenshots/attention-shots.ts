/**
 * Screenshots of the attention track's results (lessons 2-4), for capture.ts: every layer's and head's
 * attention drawn from the learner's own attention, the next-character bars and the greedy text next to
 * onnxruntime's, and a failed run where the texts part ways. Real runs of the real checks; the learner
 * files are the reference solutions (one with a catalogued bug put in).
 */
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

/** Lesson 4's solution with the final LayerNorm removed. */
const withoutFinalNorm = (source: string): string => source.replace("x = layerNorm(x, param(w, 'ln_f.weight'), param(w, 'ln_f.bias'));", '');

/** `run` checks an exercise's reference solution, laid out as a learner folder, with `edit` applied to it. */
export async function attentionShots(catalog: Catalog, strings: Strings,
  run: (exercise: Exercise, edit?: (source: string) => string) => Promise<RunResult>): Promise<Shot[]> {
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
      messages: results(attention.title, await run(attention)),
      prepare: openAndScroll(['the-bundled-model-your-attention-reproduces-every-layer-and-head'], true),
    },
    {
      name: 'gpt-generation', height: 1000,
      messages: results(gpt.title, await run(gpt)),
      prepare: openAndScroll(['the-bundled-model-your-logits-equal-onnxruntime-s-max-diff-1e-4', '50-greedy-characters-from-your-model-equal-onnxruntime-s']),
    },
    {
      name: 'gpt-generation-failed', height: 900,
      messages: results(gpt.title, await run(gpt, withoutFinalNorm)),
      prepare: async (tab) => { await tab.$eval('li[data-check="50-greedy-characters-from-your-model-equal-onnxruntime-s"]', (li) => li.scrollIntoView({ block: 'start' })); },
    },
  ];
}
