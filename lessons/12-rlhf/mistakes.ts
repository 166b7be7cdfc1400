/**
 * What a learner is told when their RLHF glue matches a catalogued mistake. One place for the words, shared by
 * the checks and by test/unit/rlhf-track.test.ts, which feeds each mistake through the runner.
 */
export interface MistakeText {
  message: string;
  hint: string;
}

export type RlhfMistake =
  | 'kl-sign' //          +beta * (logp - ref): drifting away is rewarded
  | 'score-first' //      the reward-model score on the first token
  | 'score-every' //      the score added to every token
  | 'kl-last-only' //     the whole KL penalty charged on the last token only
  | 'no-beta' //          the KL term not multiplied by beta
  | 'bootstrap-end' //    GAE bootstraps from the last value: the continuation never ends
  | 'gamma-lambda'; //    gamma and lambda passed the wrong way round

export const RLHF_MISTAKE_TEXT: Record<RlhfMistake | 'lesson-10' | 'lesson-11' | 'reward-hacking', MistakeText> = {
  'kl-sign': {
    message: 'The KL term has the wrong sign: your per-token reward is +β·(log π − log π_ref), so the policy is PAID for drifting away from the reference instead of charged for it.',
    hint: 'r_t = −β · (log π(a_t) − log π_ref(a_t)): where the policy likes a token more than the reference does, the reward goes down.',
  },
  'score-first': {
    message: 'The reward-model score was added to the FIRST generated token. The reward model judges the finished text, so its score belongs to the step that finishes it: the last token.',
    hint: 'rewards[rewards.length - 1] += score. GAE then carries it back to the earlier tokens, discounted by γλ.',
  },
  'score-every': {
    message: 'The reward-model score was added to every token: a text of n tokens then earns n times its score, and longer texts look better whatever they say.',
    hint: 'The score is one number for the whole text: add it once, on the last token.',
  },
  'kl-last-only': {
    message: 'The whole KL penalty was charged on the last token (−β·Σ KL added to the score). This lesson puts it on every token, where the drift happens: each token then pays for its own divergence and GAE credits it locally.',
    hint: 'Every token t gets −β·(log π(a_t) − log π_ref(a_t)); only the score is special, added to the last one.',
  },
  'no-beta': {
    message: 'The KL term is not multiplied by klCoef (β): every nat of drift costs a full point of reward, whatever β the run asks for.',
    hint: 'r_t = −klCoef · (log π(a_t) − log π_ref(a_t)); use the klCoef argument, not KL_COEF (the check passes other values).',
  },
  'bootstrap-end': {
    message: 'Your GAE bootstraps from the value of the last token, as if the text went on. A continuation ENDS at its last token: there is no next state, so nothing is added after the final reward.',
    hint: 'Mark the last step as done (dones = [false, ..., false, true]) and pass lastValue 0: δ_T = r_T − V(s_T).',
  },
  'gamma-lambda': {
    message: 'gamma and lambda were passed the wrong way round: gae(rewards, values, dones, lastValue, gamma, lambda) takes γ (the discount) before λ (the GAE smoothing).',
    hint: 'Pass them in the order of the signature: gae(rewards, values, dones, 0, gamma, lambda).',
  },
  'lesson-10': {
    message: 'Your gae from lesson 10, imported here, gives a different answer from the reference on a plain case. Fix lesson 10 first: this lesson builds on it.',
    hint: 'Run the lesson-10 checks on ../10-gae/gae.ts until they pass, then come back.',
  },
  'lesson-11': {
    message: 'Your lesson-11 function, imported here, gives a different answer from the reference on a plain case. Fix lesson 11 first: this lesson builds on it.',
    hint: 'Run the lesson-11 checks on ../11-ppo/ppo.ts until they pass, then come back.',
  },
  'reward-hacking': {
    message: 'The reward went up, but the policy drifted far from the reference: this is reward hacking. With a small KL_COEF, nothing stops the policy from finding texts the reward model over-rates (look at the samples after training).',
    hint: 'Put KL_COEF back to 0.1 (or anything around 0.05-0.3) and run again: the KL penalty is what keeps the text fluent.',
  },
};
