/**
 * Checks for the serving lesson's server (serving/server). Each check starts the learner's server with the model object
 * (src/course/apps/serving-server.ts: the bundled GPT in float64 with a KV cache), sends REAL HTTP requests to it on
 * 127.0.0.1 with node:http, and always stops it (try/finally): a server whose close() does not resolve within 2 s fails
 * the check, and the check then destroys every connection it opened. Answers are compared with the reference
 * generation (serveGenerate: the lesson's stated rule, the same model and sampler), so a text is right or wrong
 * exactly.
 *
 * Which check names which catalogued mistake (lessons/15e-serving/mistakes.ts, SERVER_MISTAKES):
 *   check                                             names
 *   POST /generate without streaming ...              (none: wrong texts, fields, statuses are said in plain words)
 *   streaming: the events, joined ...                 (none)
 *   streaming: events arrive one at a time ...        no-flush, blocking-loop
 *   stop sequences: ...                               stop-split, stop-included (convention: Hugging Face transformers), stream-leaks-stop
 *   bad requests get 400 ...                          no-context-check
 *   concurrency: ...                                  blocking-loop
 *   close(): ...                                      (none)
 *   time to first token and tokens/s (live)           (none: it measures and draws the token arrival times)
 * No-flush and blocking-loop look alike from the client (every event at the end); the check tells them apart by a timer
 * of its own: if it could not tick while the answer was generated, the loop was blocked.
 */
import { type CheckContext, type Text, defineChecks, fail, join, t } from '@llm-lab/check';
import {
  ServeClient, type ServeEvent, type ServeModel, type ServeRequest, type ServeResponse, type ServeResult, serveBundledModel,
  serveEvents, serveGenerate, serveRefuses,
} from '@llm-lab/course/apps';
import { SERVER_MISTAKES as M, type ServerMistake } from './mistakes';

type Learner = typeof import('./server');
type Ctx = CheckContext;

const CLOSE_MS = 2000;
const START_MS = 3000;

const failWith = (key: ServerMistake, where: Text): never => fail(join([M[key].message, where], ''), { hint: M[key].hint, convention: M[key].convention });
const show = (s: string) => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);

function within<T>(p: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error?: unknown }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false }), ms);
    p.then((value) => { clearTimeout(timer); resolve({ ok: true, value }); }, (error: unknown) => { clearTimeout(timer); resolve({ ok: false, error }); });
  });
}

/**
 * Starts the learner's server, runs `body` with a client on its port, and always stops the server: close() must resolve
 * within CLOSE_MS, else the check fails (unless it already failed) and every connection the client opened is destroyed.
 */
async function withServer<T>(m: Learner, body: (client: ServeClient, model: ServeModel) => Promise<T>): Promise<T> {
  const { serve } = await serveBundledModel();
  let started: unknown;
  try {
    started = m.startServer(serve as never);
  } catch (e) {
    if (e instanceof Error && e.name === 'NotImplementedError') throw e;
    fail(t(`startServer threw: ${(e as Error)?.message ?? e}`, `startServer 抛出了异常：${(e as Error)?.message ?? e}`));
  }
  const r = await within(Promise.resolve(started as Promise<unknown>), START_MS);
  if (!r.ok) {
    fail(r.error ? t(`startServer rejected: ${(r.error as Error)?.message ?? r.error}`, `startServer 的 Promise 被拒绝：${(r.error as Error)?.message ?? r.error}`)
      : t(`startServer did not resolve within ${START_MS} ms: resolve once the server listens.`, `startServer 在 ${START_MS} ms 内没有 resolve：服务器开始监听后就应 resolve。`),
    { hint: t('return new Promise((resolve) => server.listen(0, \'127.0.0.1\', () => resolve({ port: (server.address() as AddressInfo).port, close })))', 'return new Promise((resolve) => server.listen(0, \'127.0.0.1\', () => resolve({ port: (server.address() as AddressInfo).port, close })))') });
  }
  const running = r.value as { port?: unknown; close?: unknown } | null;
  if (!running || typeof running.port !== 'number' || !(running.port > 0) || typeof running.close !== 'function') {
    fail(t('startServer must resolve to { port, close }: the port the server listens on (a number) and a close() that returns a Promise.', 'startServer 必须 resolve 为 { port, close }：服务器监听的端口（一个数）和一个返回 Promise 的 close()。'));
  }
  const { port, close } = running as { port: number; close: () => Promise<void> };
  const client = new ServeClient(port);
  let failed = true;
  try {
    const value = await body(client, serve);
    failed = false;
    return value;
  } finally {
    let closed: Awaited<ReturnType<typeof within>>;
    try {
      closed = await within(Promise.resolve(close()), CLOSE_MS);
    } catch (e) {
      closed = { ok: false, error: e };
    }
    client.destroyAll();
    if (!closed.ok && !failed) {
      fail(closed.error ? t(`close() failed: ${(closed.error as Error)?.message ?? closed.error}`, `close() 失败：${(closed.error as Error)?.message ?? closed.error}`)
        : t(`close() did not resolve within ${CLOSE_MS} ms; the check destroyed its connections.`, `close() 在 ${CLOSE_MS} ms 内没有 resolve；检查已销毁它打开的连接。`),
      { hint: t('close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); })', 'close: () => new Promise((done) => { server.close(() => done()); server.closeAllConnections(); })') });
    }
  }
}

const what = (req: object) => JSON.stringify(req);

async function post(client: ServeClient, req: object, timeoutMs = 8000, onChunk?: (at: number, text: string) => void): Promise<ServeResponse> {
  try {
    return await client.request('POST', '/generate', JSON.stringify(req), { timeoutMs, onChunk });
  } catch (e) {
    return fail(t(`POST /generate ${what(req)}: ${(e as Error).message}`, `POST /generate ${what(req)}：${(e as Error).message}`));
  }
}

function jsonBody(r: ServeResponse, where: Text): Record<string, unknown> {
  if (!String(r.headers['content-type'] ?? '').includes('application/json')) {
    fail(join([where, t(`: the Content-Type is ${JSON.stringify(r.headers['content-type'] ?? 'missing')}; a JSON answer needs 'application/json'.`, `：Content-Type 是 ${JSON.stringify(r.headers['content-type'] ?? '缺失')}；JSON 回答需要 'application/json'。`)], ''));
  }
  try {
    const v = JSON.parse(r.body) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch { /* below */ }
  return fail(join([where, t(`: the body is not a JSON object: ${show(r.body)}.`, `：响应体不是 JSON 对象：${show(r.body)}。`)], ''));
}

/** A non-streamed answer, checked field by field against the reference. */
async function expectAnswer(client: ServeClient, model: ServeModel, req: ServeRequest): Promise<ServeResult> {
  const where = t(`POST /generate ${what(req)}`, `POST /generate ${what(req)}`);
  const r = await post(client, req);
  if (r.status !== 200) fail(join([where, t(` answered ${r.status}, expected 200: ${show(r.body)}.`, ` 返回了 ${r.status}，应为 200：${show(r.body)}。`)], ''));
  const got = jsonBody(r, where);
  const want = serveGenerate(model, req);
  if (got.text !== want.text) {
    fail(join([where, t(`: text is ${show(String(got.text))}, expected ${show(want.text)} (the lesson's rule: new Rng(seed), model.sample(state.logits, temperature, rng) per token; temperature 1 and seed 0 by default).`,
      `：text 为 ${show(String(got.text))}，应为 ${show(want.text)}（本课的规则：new Rng(seed)，每个 token 调用 model.sample(state.logits, temperature, rng)；temperature 默认 1，seed 默认 0）。`)], ''),
    { hint: t('One Rng per request, created from the seed; sample from state.logits, decode the token, then model.next(state, token).', '每个请求一个 Rng，由 seed 创建；从 state.logits 采样，解码该 token，然后 model.next(state, token)。') });
  }
  if (got.tokens !== want.tokens || got.finish_reason !== want.finish_reason) {
    fail(join([where, t(`: tokens = ${JSON.stringify(got.tokens)}, finish_reason = ${JSON.stringify(got.finish_reason)}; expected ${want.tokens} and '${want.finish_reason}' (tokens counts every token sampled; 'length' when max_tokens ran out, 'stop' at a stop sequence).`,
      `：tokens = ${JSON.stringify(got.tokens)}，finish_reason = ${JSON.stringify(got.finish_reason)}；应为 ${want.tokens} 和 '${want.finish_reason}'（tokens 统计采样的每个 token；用完 max_tokens 时为 'length'，遇到停止序列时为 'stop'）。`)], ''));
  }
  return want;
}

interface Streamed { text: string; pieces: ServeEvent[]; final: Record<string, unknown> | undefined; done: boolean; response: ServeResponse }

/** A streamed answer, parsed: the token events, the final event, [DONE]. */
async function stream(client: ServeClient, req: ServeRequest & { stream: true }, onChunk?: (at: number, text: string) => void): Promise<Streamed> {
  const where = t(`POST /generate ${what(req)}`, `POST /generate ${what(req)}`);
  const r = await post(client, req, 15000, onChunk);
  if (r.status !== 200) fail(join([where, t(` answered ${r.status}, expected 200: ${show(r.body)}.`, ` 返回了 ${r.status}，应为 200：${show(r.body)}。`)], ''));
  if (!String(r.headers['content-type'] ?? '').includes('text/event-stream')) {
    fail(join([where, t(`: the Content-Type is ${JSON.stringify(r.headers['content-type'] ?? 'missing')}; a stream of server-sent events needs 'text/event-stream'.`, `：Content-Type 是 ${JSON.stringify(r.headers['content-type'] ?? '缺失')}；服务器发送事件（SSE）流需要 'text/event-stream'。`)], ''));
  }
  const events = serveEvents(r.chunks);
  const pieces: ServeEvent[] = [];
  let final: Record<string, unknown> | undefined;
  let done = false;
  for (const e of events) {
    if (e.data === '[DONE]') { done = true; continue; }
    let v: unknown;
    try { v = JSON.parse(e.data); } catch { fail(join([where, t(`: an event's data is not JSON: ${show(e.data)}.`, `：某个事件的 data 不是 JSON：${show(e.data)}。`)], '')); }
    const o = v as Record<string, unknown>;
    if (typeof o?.token === 'string') pieces.push({ at: e.at, data: o.token });
    else if (typeof o?.finish_reason === 'string') final = o;
    else fail(join([where, t(`: unexpected event ${show(e.data)}; the events are {"token": "..."}, then {"finish_reason": ..., "tokens": ...}, then [DONE].`, `：意外的事件 ${show(e.data)}；事件应为 {"token": "..."}，然后是 {"finish_reason": ..., "tokens": ...}，最后是 [DONE]。`)], ''));
  }
  if (!done || !final) {
    fail(join([where, t(`: the stream must end with the event {"finish_reason": ..., "tokens": ...} and then data: [DONE]; got ${events.length} events, the last ${show(events[events.length - 1]?.data ?? 'none')}.`,
      `：事件流必须以事件 {"finish_reason": ..., "tokens": ...} 结束，然后是 data: [DONE]；收到 ${events.length} 个事件，最后一个是 ${show(events[events.length - 1]?.data ?? '无')}。`)], ''));
  }
  return { text: pieces.map((p) => p.data).join(''), pieces, final, done, response: r };
}

/**
 * Runs `f` while a probe of the check's own goes round the event loop (a chain of setImmediate: it runs once per turn
 * of the loop, after the I/O of that turn); returns f's value and the longest time the probe had to wait (ms). A
 * generation that never lets the loop turn (no yield, microtasks only, or timers that are always due) holds it up.
 */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; maxGap: number; ms: number }> {
  let last = performance.now();
  let maxGap = 0;
  let running = true;
  const start = last;
  setImmediate(function probe() {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    if (running) setImmediate(probe);
  });
  try {
    const value = await f();
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    return { value, maxGap, ms: now - start };
  } finally {
    running = false;
  }
}

const HINT_STREAM = t('res.writeHead(200, { \'Content-Type\': \'text/event-stream\' }); res.write(`data: ${JSON.stringify({ token })}\\n\\n`) per piece; res.write(`data: ${JSON.stringify({ finish_reason, tokens })}\\n\\n`); res.end(\'data: [DONE]\\n\\n\').',
  'res.writeHead(200, { \'Content-Type\': \'text/event-stream\' })；每段 res.write(`data: ${JSON.stringify({ token })}\\n\\n`)；res.write(`data: ${JSON.stringify({ finish_reason, tokens })}\\n\\n`)；res.end(\'data: [DONE]\\n\\n\')。');

export interface ServeTiming { ttft: number; ms: number; tokens: number; arrivals: number[] }

async function live(m: Learner, ctx: Ctx): Promise<void> {
  const alone: ServeTiming[] = [];
  const pair: ServeTiming[] = [];
  const prompt = 'Call me Ishmael. ';
  const N = 100;
  await withServer(m, async (client, model) => {
    // The reference texts first: computed while streams run, they would hold up the event loop the arrivals are timed on.
    const wanted = new Map([1, 2, 3].map((seed) => [seed, serveGenerate(model, { prompt, max_tokens: N, seed, temperature: 0.8 })]));
    const measure = async (seed: number): Promise<ServeTiming> => {
      const s = await stream(client, { prompt, max_tokens: N, seed, temperature: 0.8, stream: true });
      const want = wanted.get(seed)!;
      if (s.text !== want.text) fail(t(`the streamed text for seed ${seed} differs from the reference: ${show(s.text)} vs ${show(want.text)}.`, `seed ${seed} 的流式文本与参考不同：${show(s.text)} 与 ${show(want.text)}。`), { hint: HINT_STREAM });
      const arrivals = s.pieces.map((p) => p.at);
      return { ttft: arrivals[0] ?? NaN, ms: s.response.ms, tokens: Number(s.final?.tokens ?? N), arrivals };
    };
    await measure(1); // warm-up: not shown
    alone.push(await measure(1));
    pair.push(...(await Promise.all([measure(2), measure(3)])));
  });
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const rate = (s: ServeTiming) => (s.tokens - 1) / ((s.ms - s.ttft) / 1000);
  ctx.artifact({
    kind: 'curve',
    title: t(`Token arrival times through the server (${N} tokens streamed as server-sent events)`, `经服务器到达的 token 时间（以服务器发送事件流式传输 ${N} 个 token）`),
    xLabel: t('token', 'token 序号'),
    yLabel: t('arrival time since the request (ms)', '自请求发出起的到达时间（ms）'),
    series: [
      { name: t('one stream alone', '单独一个流'), x: alone[0].arrivals.map((_, i) => i + 1), y: alone[0].arrivals.map(round1) },
      { name: t('stream A, while B runs', '流 A（与 B 同时运行）'), x: pair[0].arrivals.map((_, i) => i + 1), y: pair[0].arrivals.map(round1) },
      { name: t('stream B, while A runs', '流 B（与 A 同时运行）'), x: pair[1].arrivals.map((_, i) => i + 1), y: pair[1].arrivals.map(round1) },
    ],
  });
  const row = (label: Text, s: ServeTiming) => [label, round1(s.ttft), round1(s.ms), s.tokens, round1(rate(s))];
  ctx.artifact({
    kind: 'table',
    title: t('Time to first token and tokens per second (this machine: the course\'s GPT in JavaScript, one thread)', '首 token 延迟与每秒 token 数（本机：课程的 GPT 在 JavaScript 中运行，单线程）'),
    columns: [t('request', '请求'), t('time to first token (ms)', '首 token 延迟（ms）'), t('total (ms)', '总耗时（ms）'), t('tokens', 'token 数'), t('tokens/s after the first', '首 token 之后的 token/s')],
    rows: [row(t('alone', '单独'), alone[0]), row(t('A, concurrent with B', 'A，与 B 并发'), pair[0]), row(t('B, concurrent with A', 'B，与 A 并发'), pair[1])],
  });
}

export default defineChecks<Learner>({
  exports: ['startServer'],
  checks: [
    {
      name: t('POST /generate without streaming: JSON { text, tokens, finish_reason } equal to the reference generation (greedy, seeded, defaults); 404 and 405',
        'POST /generate（非流式）：JSON { text, tokens, finish_reason } 与参考生成一致（贪心、带种子、默认值）；404 与 405'),
      task: 'startServer',
      run: (m) => withServer(m, async (client, model) => {
        await expectAnswer(client, model, { prompt: 'Call me Ishmael. ', max_tokens: 24, temperature: 0 });
        await expectAnswer(client, model, { prompt: 'The whale', max_tokens: 20, seed: 7, temperature: 0.8 });
        await expectAnswer(client, model, { prompt: 'It was', max_tokens: 12 });
        const other = await client.request('POST', '/complete', '{}');
        if (other.status !== 404) fail(t(`POST /complete answered ${other.status}; a path the server does not have gets 404.`, `POST /complete 返回了 ${other.status}；服务器没有的路径应返回 404。`));
        const get = await client.request('GET', '/generate');
        if (get.status !== 405) fail(t(`GET /generate answered ${get.status}; /generate only takes POST, so GET gets 405 (Method Not Allowed).`, `GET /generate 返回了 ${get.status}；/generate 只接受 POST，所以 GET 应返回 405（Method Not Allowed）。`));
      }),
    },
    {
      name: t('streaming: the events, joined, equal the non-streamed text for the same seed, then the final event and [DONE]',
        '流式：所有事件拼起来等于同一种子下的非流式文本，然后是结束事件和 [DONE]'),
      task: 'startServer',
      run: (m) => withServer(m, async (client, model) => {
        for (const req of [{ prompt: 'Whales ', max_tokens: 30, seed: 3, temperature: 0.9 }, { prompt: 'Ahab', max_tokens: 20, temperature: 0 }]) {
          const plain = await expectAnswer(client, model, req);
          const s = await stream(client, { ...req, stream: true });
          if (s.text !== plain.text) {
            fail(t(`streamed ${what(req)}: the events joined give ${show(s.text)}, the non-streamed answer is ${show(plain.text)}: the same seed must give the same text.`,
              `流式 ${what(req)}：事件拼接得到 ${show(s.text)}，非流式回答是 ${show(plain.text)}：同一个种子必须给出同样的文本。`), { hint: HINT_STREAM });
          }
          if (s.final?.finish_reason !== plain.finish_reason || s.final?.tokens !== plain.tokens) {
            fail(t(`streamed ${what(req)}: the final event is ${JSON.stringify(s.final)}; expected {"finish_reason": "${plain.finish_reason}", "tokens": ${plain.tokens}}.`,
              `流式 ${what(req)}：结束事件是 ${JSON.stringify(s.final)}；应为 {"finish_reason": "${plain.finish_reason}", "tokens": ${plain.tokens}}。`), { hint: HINT_STREAM });
          }
          if (s.pieces.length < Math.min(10, plain.tokens)) {
            fail(t(`streamed ${what(req)}: only ${s.pieces.length} token events for ${plain.tokens} tokens; send one event per token (or per piece that is safe to send).`,
              `流式 ${what(req)}：${plain.tokens} 个 token 只有 ${s.pieces.length} 个 token 事件；每个 token（或每段可以安全发送的文本）发送一个事件。`), { hint: HINT_STREAM });
          }
        }
      }),
    },
    {
      name: t('streaming: events arrive one at a time while the text is generated, not all at the end', '流式：事件在生成过程中逐个到达，而不是在最后一起到达'),
      task: 'startServer',
      run: (m) => withServer(m, async (client) => {
        const req = { prompt: 'Call me', max_tokens: 60, seed: 5, temperature: 1, stream: true as const };
        const { value: s, maxGap, ms } = await timed(() => stream(client, req));
        const first = s.pieces[0]?.at ?? ms;
        const last = s.pieces[s.pieces.length - 1]?.at ?? ms;
        const where = t(` (${what(req)}: ${s.pieces.length} token events; the first after ${first.toFixed(0)} ms, the last after ${last.toFixed(0)} ms, the response took ${s.response.ms.toFixed(0)} ms; the check's own probe waited at most ${maxGap.toFixed(0)} ms)`,
          `（${what(req)}：${s.pieces.length} 个 token 事件；第一个在 ${first.toFixed(0)} ms 后，最后一个在 ${last.toFixed(0)} ms 后，整个响应耗时 ${s.response.ms.toFixed(0)} ms；检查自己的探针最长等待了 ${maxGap.toFixed(0)} ms）`);
        if (s.pieces.length >= 10 && last - first >= 0.3 * s.response.ms) return;
        if (maxGap >= 0.5 * s.response.ms) failWith('blocking-loop', where);
        failWith('no-flush', where);
      }),
    },
    {
      name: t('stop sequences: a stop spanning several tokens ends the text just before it, streamed and not; the earliest of several wins',
        '停止序列：跨越多个 token 的停止序列让文本恰好在它之前结束，流式与非流式皆然；多个停止序列时最早出现的生效'),
      task: 'startServer',
      run: (m) => withServer(m, async (client, model) => {
        const base = { prompt: 'Call me Ishmael. Some years ago', max_tokens: 36, temperature: 0 };
        const free = serveGenerate(model, base).text;
        const stop = free.slice(14, 17); // three characters: three tokens
        const stop2 = free.slice(6, 8);
        for (const req of [{ ...base, stop }, { ...base, stop: [stop, stop2] }, { ...base, stop: [free[20]] }]) {
          const want = serveGenerate(model, req);
          const where = t(` (POST /generate ${what(req)}: expected text ${show(want.text)}, finish_reason 'stop')`, `（POST /generate ${what(req)}：应得到文本 ${show(want.text)}，finish_reason 为 'stop'）`);
          const r = await post(client, req);
          const got = r.status === 200 ? jsonBody(r, t('POST /generate', 'POST /generate')) : fail(join([t(`answered ${r.status}: ${show(r.body)}`, `返回了 ${r.status}：${show(r.body)}`), where], ''));
          const text = String(got.text);
          const stops = typeof req.stop === 'string' ? [req.stop] : req.stop;
          const hit = stops.find((s) => text === want.text + s);
          if (text !== want.text) {
            if (hit !== undefined) failWith('stop-included', join([where, t(`: got ${show(text)}.`, `：得到 ${show(text)}。`)], ''));
            if (text === free.slice(0, text.length) && text.length > want.text.length) failWith('stop-split', join([where, t(`: got ${show(text)}, which runs past the stop sequence.`, `：得到 ${show(text)}，越过了停止序列。`)], ''));
            fail(join([t(`text is ${show(text)}`, `text 为 ${show(text)}`), where, t('.', '。')], ''), { hint: M['stop-split'].hint });
          }
          if (got.finish_reason !== 'stop' || got.tokens !== want.tokens) {
            fail(join([t(`finish_reason = ${JSON.stringify(got.finish_reason)}, tokens = ${JSON.stringify(got.tokens)}; expected 'stop' and ${want.tokens}`, `finish_reason = ${JSON.stringify(got.finish_reason)}，tokens = ${JSON.stringify(got.tokens)}；应为 'stop' 和 ${want.tokens}`), where, t('.', '。')], ''));
          }
          const s = await stream(client, { ...req, stream: true });
          if (s.text !== want.text) {
            if (s.text.startsWith(want.text) && stops.some((st) => st.startsWith(s.text.slice(want.text.length)))) {
              failWith('stream-leaks-stop', join([where, t(`: the stream sent ${show(s.text)}.`, `：流式输出发送了 ${show(s.text)}。`)], ''));
            }
            fail(join([t(`the streamed text is ${show(s.text)}`, `流式文本为 ${show(s.text)}`), where, t('.', '。')], ''), { hint: M['stream-leaks-stop'].hint });
          }
        }
      }),
    },
    {
      name: t('bad requests get 400 with a JSON { error }: malformed JSON, missing prompt, max_tokens not a positive integer, prompt + max_tokens over the context',
        '错误的请求得到 400 和 JSON { error }：格式错误的 JSON、缺少 prompt、max_tokens 不是正整数、prompt + max_tokens 超出上下文'),
      task: 'startServer',
      run: (m) => withServer(m, async (client, model) => {
        const long = 'Call me Ishmael. '.repeat(6).slice(0, 100);
        const cases: [string, string, Text][] = [
          ['{"prompt": "Call me", "max_tokens": 5', 'JSON', t('malformed JSON', '格式错误的 JSON')],
          ['[1, 2]', '', t('a body that is not a JSON object', '不是 JSON 对象的请求体')],
          [JSON.stringify({ max_tokens: 5 }), 'prompt', t('no prompt', '缺少 prompt')],
          [JSON.stringify({ prompt: '', max_tokens: 5 }), 'prompt', t('an empty prompt', '空的 prompt')],
          [JSON.stringify({ prompt: 'Call me \u2603', max_tokens: 5 }), 'prompt', t('a prompt with a character the model does not know (☃)', '含有模型不认识的字符（☃）的 prompt')],
          [JSON.stringify({ prompt: 'Call me', max_tokens: -3 }), 'max_tokens', t('a negative max_tokens', '负的 max_tokens')],
          [JSON.stringify({ prompt: 'Call me', max_tokens: 0 }), 'max_tokens', t('max_tokens = 0', 'max_tokens = 0')],
          [JSON.stringify({ prompt: 'Call me', max_tokens: 2.5 }), 'max_tokens', t('a fractional max_tokens', '小数的 max_tokens')],
          [JSON.stringify({ prompt: 'Call me', max_tokens: '5' }), 'max_tokens', t('max_tokens as a string', '字符串形式的 max_tokens')],
          [JSON.stringify({ prompt: 'Call me' }), 'max_tokens', t('no max_tokens', '缺少 max_tokens')],
          [JSON.stringify({ prompt: long, max_tokens: 29 }), String(model.blockSize), t(`a prompt of 100 tokens with max_tokens 29 (129 > blockSize = ${model.blockSize})`, `100 个 token 的提示词加 max_tokens 29（129 > blockSize = ${model.blockSize}）`)],
        ];
        for (const [body, word, label] of cases) {
          let r: ServeResponse;
          try {
            r = await client.request('POST', '/generate', body, { timeoutMs: 8000 });
          } catch (e) {
            return fail(join([label, t(`: POST /generate ${body.slice(0, 60)}: ${(e as Error).message}`, `：POST /generate ${body.slice(0, 60)}：${(e as Error).message}`)], ''));
          }
          const where = join([t(' (', '（'), label, t(`: POST /generate ${body.length > 60 ? `${body.slice(0, 60)}…` : body})`, `：POST /generate ${body.length > 60 ? `${body.slice(0, 60)}…` : body}）`)], '');
          if (r.status !== 400) {
            if (word === String(model.blockSize)) failWith('no-context-check', join([where, t(`: the server answered ${r.status}.`, `：服务器返回了 ${r.status}。`)], ''));
            fail(join([t(`the server answered ${r.status}, expected 400`, `服务器返回了 ${r.status}，应为 400`), where, t(`: ${show(r.body)}.`, `：${show(r.body)}。`)], ''),
              { hint: t('Validate before generating: JSON.parse in a try, then prompt, max_tokens, and prompt length + max_tokens ≤ model.blockSize; answer 400 with { error }.', '在生成之前先校验：在 try 中 JSON.parse，再检查 prompt、max_tokens，以及提示词长度 + max_tokens ≤ model.blockSize；返回 400 和 { error }。') });
          }
          const got = jsonBody(r, join([t('the 400 answer', '400 回答'), where], ''));
          if (typeof got.error !== 'string' || got.error.trim() === '' || (word !== '' && !got.error.includes(word))) {
            fail(join([t(`the 400 answer must be { "error": "<a clear message>" }${word ? ` naming ${word === 'JSON' ? 'JSON' : `'${word}'`}` : ''}`, `400 回答必须是 { "error": "<清楚的说明>" }${word ? `，并提到 ${word === 'JSON' ? 'JSON' : `'${word}'`}` : ''}`), where, t(`: got ${show(r.body)}.`, `：得到 ${show(r.body)}。`)], ''));
          }
        }
        // The limit itself is allowed: prompt + max_tokens = blockSize.
        await expectAnswer(client, model, { prompt: long, max_tokens: model.blockSize - 100, temperature: 0 });
      }),
    },
    {
      name: t('concurrency: a short request sent while two long streams run finishes first, and every answer is right', '并发：在两个长流运行时发出的短请求先完成，每个回答都正确'),
      task: 'startServer',
      run: (m) => withServer(m, async (client, model) => {
        const longReqs = [11, 12].map((seed) => ({ prompt: 'Call me Is', max_tokens: 60, seed, temperature: 1, stream: true as const }));
        const shortReq = { prompt: 'Ahab', max_tokens: 3, temperature: 0 };
        let firstToken!: () => void;
        const started = new Promise<void>((resolve) => { firstToken = resolve; });
        let shortDone = Infinity;
        const longDone = [Infinity, Infinity];
        const t0 = performance.now();
        const longRuns = longReqs.map((req, i) => stream(client, req, () => firstToken()).then((s) => { longDone[i] = performance.now() - t0; return s; }));
        // The short request goes out at the first event of a long one, or after 40 ms if no event came yet (a server that
        // buffers its events is not this check's business; one that holds the loop cannot let this timer fire before it is done).
        await Promise.race([started, ...longRuns, new Promise((r) => setTimeout(r, 40))]);
        const shortRun = expectAnswer(client, model, shortReq).then((r) => { shortDone = performance.now() - t0; return r; });
        const [a, b] = await Promise.all([...longRuns, shortRun]);
        const where = t(` (two streams of ${longReqs[0].max_tokens} tokens ended after ${longDone[0].toFixed(0)} and ${longDone[1].toFixed(0)} ms; a request for ${shortReq.max_tokens} tokens sent during them ended after ${shortDone.toFixed(0)} ms)`,
          `（两个 ${longReqs[0].max_tokens} 个 token 的流分别在 ${longDone[0].toFixed(0)} ms 和 ${longDone[1].toFixed(0)} ms 后结束；在它们运行期间发出的 ${shortReq.max_tokens} 个 token 的请求在 ${shortDone.toFixed(0)} ms 后结束）`);
        if (!(shortDone < Math.max(...longDone))) failWith('blocking-loop', where);
        for (const [i, s] of [a, b].entries()) {
          const want = serveGenerate(model, longReqs[i]);
          if (s.text !== want.text) {
            fail(join([t(`stream ${i + 1}'s text changed while other requests ran: ${show(s.text)}, expected ${show(want.text)}. Each request needs its own Rng and its own model state.`,
              `其他请求运行时，第 ${i + 1} 个流的文本改变了：${show(s.text)}，应为 ${show(want.text)}。每个请求都需要自己的 Rng 和自己的模型状态。`), where], ''));
          }
        }
      }),
    },
    {
      name: t('close(): resolves within 2 s with an idle keep-alive connection open, closes that connection, and the port then refuses connections',
        'close()：在有一个空闲 keep-alive 连接时 2 s 内 resolve，关闭该连接，之后端口拒绝连接'),
      task: 'startServer',
      run: async (m) => {
        const { serve } = await serveBundledModel();
        const running = await within(Promise.resolve(m.startServer(serve as never) as Promise<{ port: number; close: () => Promise<void> }>), START_MS);
        if (!running.ok || typeof running.value?.port !== 'number' || typeof running.value.close !== 'function') {
          fail(t('startServer must resolve to { port, close } once the server listens.', 'startServer 必须在服务器开始监听后 resolve 为 { port, close }。'));
        }
        const { port, close } = running.value;
        const client = new ServeClient(port);
        try {
          await expectAnswer(client, serve, { prompt: 'Call', max_tokens: 3, temperature: 0 });
          const idle = client.sockets.size;
          const closed = await within(Promise.resolve(close()), CLOSE_MS);
          if (!closed.ok) {
            fail(closed.error ? t(`close() failed: ${(closed.error as Error)?.message ?? closed.error}`, `close() 失败：${(closed.error as Error)?.message ?? closed.error}`)
              : t(`close() did not resolve within ${CLOSE_MS} ms while a keep-alive connection was idle (${idle} open); the check destroyed it. Close idle connections too (server.closeAllConnections(), or track the sockets).`,
                `在有空闲 keep-alive 连接（${idle} 个）时，close() 在 ${CLOSE_MS} ms 内没有 resolve；检查已销毁这些连接。也要关闭空闲连接（server.closeAllConnections()，或自己记录套接字）。`));
          }
          await new Promise((r) => setTimeout(r, 100));
          if (client.sockets.size > 0) fail(t(`close() resolved but ${client.sockets.size} connection(s) stayed open: end them (server.closeAllConnections()).`, `close() 已 resolve，但仍有 ${client.sockets.size} 个连接保持打开：关闭它们（server.closeAllConnections()）。`));
          if (!(await serveRefuses(port))) fail(t(`after close(), 127.0.0.1:${port} still accepts connections: close() must stop the server listening (server.close()).`, `close() 之后 127.0.0.1:${port} 仍然接受连接：close() 必须让服务器停止监听（server.close()）。`));
        } finally {
          client.destroyAll();
        }
      },
    },
    {
      name: t('time to first token and tokens/s through the server, alone and with two concurrent streams (live)', '经服务器的首 token 延迟与每秒 token 数：单独一个流以及两个并发流（实时）'),
      task: 'startServer',
      timeoutSeconds: 30,
      run: (m, ctx) => live(m, ctx),
    },
  ],
});
