/**
 * Draws the loss curve as an SVG with Vega-Lite (Satyanarayan et al., "Vega-Lite: A Grammar of
 * Interactive Graphics", 2017): a declarative spec, compiled to Vega, rendered headless in Node
 * (renderer 'none' + toSVG, no browser or canvas needed).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';

export interface CurvePoint {
  step: number;
  loss: number;
  series: string;
}

/** Series names, in legend order. */
export const SERIES = {
  running: 'train batches (running mean)',
  train: 'train (fixed eval batches)',
  val: 'validation (fixed eval batches)',
} as const;

export async function lossCurveSvg(points: CurvePoint[], baseline: { label: string; loss: number }, title: string): Promise<string> {
  const vega = await importEsm<typeof import('vega')>('vega');
  const vegaLite = await importEsm<typeof import('vega-lite')>('vega-lite');
  const order = Object.values(SERIES);
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 640,
    height: 360,
    background: 'white',
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', interpolate: 'monotone' },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'training step' },
          y: { field: 'loss', type: 'quantitative', title: 'cross-entropy (nats per character)', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, sort: order, scale: { domain: order, range: ['#9ecae9', '#1f77b4', '#ff7f0e'] } },
          strokeWidth: { condition: { test: `datum.series === '${SERIES.running}'`, value: 1 }, value: 2.5 },
        },
      },
      {
        data: { values: [baseline] },
        layer: [
          { mark: { type: 'rule', strokeDash: [6, 4], color: '#777' }, encoding: { y: { field: 'loss', type: 'quantitative' } } },
          {
            mark: { type: 'text', align: 'right', dy: -6, color: '#555' },
            encoding: { y: { field: 'loss', type: 'quantitative' }, x: { datum: Math.max(...points.map((p) => p.step)), type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
    config: { legend: { orient: 'top-right', labelLimit: 300 }, font: 'sans-serif' },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * vega and vega-lite are ES modules only. This file may run as CommonJS (tsx on Node 20), where a
 * bare `import('vega')` cannot be resolved, so import them by their absolute file URL instead.
 */
async function importEsm<T>(name: string): Promise<T> {
  const path = createRequire(__filename).resolve(name);
  return (await import(pathToFileURL(path).href)) as T;
}
