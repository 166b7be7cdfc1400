/**
 * What a training run records (media/model/train-log.json): the settings, the data's identity,
 * the timings, the loss at every step and at every evaluation, and the final numbers. The model
 * card (`train.ts --report-only`) and the loss curve (`npm run curve:model`, curve.ts) are drawn
 * from this file and the model, so they can be redrawn without training again.
 */
import type { GptConfig } from '../config';

/** The files a run writes into its output folder (media/model for the shipped model). */
export const MODEL_FILE = 'moby-gpt.onnx';
export const LOG_FILE = 'train-log.json';
export const CURVE_FILE = 'loss-curve.png';
export const CARD_FILE = 'MODEL_CARD.md';

export interface HyperParameters {
  /** Sequences per step. */
  batchSize: number;
  /** Characters per training sequence (the model's full context). */
  seqLen: number;
  steps: number;
  warmupSteps: number;
  maxLr: number;
  minLr: number;
  /** AdamW's decoupled weight decay, applied to 2-D tensors only (matmul weights, embeddings). */
  weightDecay: number;
  betas: [number, number];
  eps: number;
  /** Gradients are scaled down when their global L2 norm exceeds this. */
  gradClip: number;
  seed: number;
  evalEvery: number;
  /** Fixed batches (of batchSize sequences) per split for the periodic loss estimate. */
  evalBatches: number;
}

export interface TrainLog {
  formatVersion: 1;
  /** 'moby-gpt', or 'moby-gpt-tiny' for the development run. */
  name: string;
  config: GptConfig;
  parameters: number;
  hyper: HyperParameters;
  data: {
    source: string;
    packageVersion: string;
    packageLicense: string;
    textStatus: string;
    normalisation: string;
    sha256: string;
    chars: number;
    vocab: string[];
    trainChars: number;
    valChars: number;
  };
  hardware: { cores: number; cpu: string; node: string; matmulThreads: number };
  timing: {
    startedAt: string;
    /** Forward, backward and optimizer steps only. */
    trainSeconds: number;
    /** Periodic loss estimates. */
    evalSeconds: number;
    /** Start of training to the exported file, final evaluation included. */
    wallSeconds: number;
    /** Training characters (tokens) processed per second of trainSeconds. */
    tokensPerSecond: number;
  };
  /** Index = step (0-based): the loss of that step's batch, its learning rate and gradient norm. */
  steps: { loss: number[]; lr: number[]; gradNorm: number[] };
  /** Loss on the fixed evaluation batches after `step` optimizer steps. */
  evals: { step: number; train: number; val: number }[];
  final: {
    /** Mean loss on `trainChars` characters of random training windows. */
    trainLoss: number;
    trainChars: number;
    /** Mean loss on every character of the validation split, in consecutive windows. */
    valLoss: number;
    valChars: number;
  };
}

/** e^loss: the number of equally likely characters the model is, on average, choosing between. */
export function perplexity(loss: number): number {
  return Math.exp(loss);
}

/** 83 -> '1 min 23 s'. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}
