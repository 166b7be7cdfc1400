/**
 * Draws a training run's loss curve (loss-curve.png, shown in MODEL_CARD.md) from its
 * train-log.json, with uPlot: the chart library the results panel uses, so the project has one.
 * uPlot draws on a canvas in a DOM, so the chart is rendered in headless Chromium (Debian's
 * /usr/bin/chromium, or $CHROMIUM, driven by playwright-core) and screenshotted at twice the CSS
 * pixel size. uPlot and its CSS are loaded from node_modules; the page makes no network request.
 *
 *   npm run curve:model                  media/model/loss-curve.png
 *   npm run curve:model -- --out DIR     DIR/loss-curve.png, from DIR/train-log.json (e.g. a --tiny run)
 *
 * The bigram baseline is refitted on the training text (a second or two), which must be the text
 * the log says the model was trained on.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type uPlot from 'uplot';
import { fitBigram } from './bigram';
import { buildCorpus } from './data';
import { type LossCurve, alignSeries, lossCurve } from './loss-curve';
import { FULL } from './recipe';
import { CURVE_FILE, LOG_FILE, type TrainLog } from './train-log';

/** The plot's size in CSS pixels (title and legend come on top); the PNG has twice as many pixels each way. */
const WIDTH = 640;
const HEIGHT = 360;
const SCALE = 2;

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main(): Promise<void> {
  const { values: args } = parseArgs({ options: { out: { type: 'string' } } });
  const out = resolve(args.out ?? FULL.out);
  const log: TrainLog = JSON.parse(await readFile(join(out, LOG_FILE), 'utf8'));
  const corpus = buildCorpus();
  if (corpus.sha256 !== log.data.sha256) {
    throw new Error(`the training text changed since this model was trained (sha256 ${corpus.sha256}, the log says ${log.data.sha256})`);
  }
  const bigram = fitBigram(corpus.train, corpus.val, corpus.vocab.length);
  const file = join(out, CURVE_FILE);
  await drawPng(lossCurve(log, bigram.valLoss), file);
  console.log(`wrote ${file}`);
}

/** Renders the curve with uPlot in headless Chromium and writes it as a PNG. */
export async function drawPng(curve: LossCurve, file: string): Promise<void> {
  const uplotDist = join(dirname(createRequire(__filename).resolve('uplot/package.json')), 'dist');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH + 40, height: HEIGHT + 120 }, deviceScaleFactor: SCALE });
    await page.route('**/*', (route) => route.abort()); // everything the page needs is inlined below
    await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body><div id="chart"></div></body></html>');
    await page.addStyleTag({ path: join(uplotDist, 'uPlot.min.css') });
    await page.addStyleTag({
      content: `html, body { margin: 0; background: #fff; }
        #chart { display: inline-block; padding: 8px 12px; background: #fff; color: #222; }
        .uplot, .uplot .u-title, .uplot .u-legend { font-family: sans-serif; }
        .uplot .u-title { font-size: 15px; margin-bottom: 4px; }
        .uplot .u-legend { font-size: 12px; }
        .uplot .u-legend th { font-weight: normal; }`,
    });
    await page.addScriptTag({ path: join(uplotDist, 'uPlot.iife.min.js') });
    // tsx compiles with esbuild's keepNames, which wraps named functions in __name(); the function
    // below runs in the page, so the page needs that helper.
    await page.addScriptTag({ content: 'window.__name = (f) => f;' });
    await page.evaluate(render, { curve, ...alignSeries(curve.series), width: WIDTH, height: HEIGHT });
    await page.waitForFunction(() => (window as unknown as { curveDrawn?: boolean }).curveDrawn === true);
    await page.locator('#chart').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

/** Runs inside the page: builds the uPlot chart in #chart, then sets window.curveDrawn. */
function render({ curve, xs, columns, width, height }: { curve: LossCurve; xs: number[]; columns: (number | null)[][]; width: number; height: number }): void {
  const U = (window as unknown as { uPlot: typeof uPlot }).uPlot;
  const ink = '#333';
  const grid = '#e6e6e6';
  const axis = (label: string, size: number): uPlot.Axis => ({
    label, stroke: ink, size, labelGap: 2, labelSize: 24, labelFont: '13px sans-serif', font: '12px sans-serif',
    grid: { stroke: grid, width: 1 }, ticks: { stroke: '#bbb', width: 1, size: 5 },
  });
  const { baseline } = curve;
  const opts: uPlot.Options = {
    title: curve.title,
    width, height,
    pxAlign: 0,
    scales: {
      x: { time: false },
      // Always show the baseline, and leave some room round the curves.
      y: { range: (_u, min, max) => U.rangeNum(Math.min(min, baseline.loss), Math.max(max, baseline.loss), 0.08, true) },
    },
    axes: [axis(curve.xLabel, 40), axis(curve.yLabel, 56)],
    legend: { show: true, live: false, markers: { width: 0, fill: (_u: uPlot, i: number) => curve.series[i - 1]?.stroke ?? 'transparent' } },
    cursor: { show: false },
    series: [
      { label: curve.xLabel },
      ...curve.series.map((s) => ({
        label: s.label, stroke: s.stroke, width: s.width, spanGaps: true,
        paths: U.paths.spline!(),
        points: { show: s.points, size: 5, fill: s.stroke, stroke: s.stroke },
      })),
    ],
    hooks: {
      draw: [(u: uPlot) => {
        const px = devicePixelRatio;
        const ctx = u.ctx;
        const y = Math.round(u.valToPos(baseline.loss, 'y', true));
        const { left, width: w } = u.bbox;
        ctx.save();
        ctx.strokeStyle = '#777';
        ctx.lineWidth = px;
        ctx.setLineDash([6 * px, 4 * px]);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + w, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = '#555';
        ctx.font = `${12 * px}px sans-serif`;
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        ctx.fillText(baseline.label, left + w - 4 * px, y - 5 * px);
        ctx.restore();
        (window as unknown as { curveDrawn?: boolean }).curveDrawn = true;
      }],
    },
  };
  new U(opts, [xs, ...columns] as uPlot.AlignedData, document.getElementById('chart')!);
}

if (require.main === module) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
