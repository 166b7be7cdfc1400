/**
 * 推理服务一课，第 2 部分：一个流式输出 token 的 HTTP 服务器，监听 127.0.0.1，只用 Node 自带的 http 模块。
 *
 *   POST /generate   请求体 { prompt, max_tokens, stop?, seed?, temperature?, stream? }
 *     stream 为 false（默认）：200，application/json，{ text, tokens, finish_reason: 'stop' | 'length' }
 *     stream 为 true：         200，text/event-stream，每生成一段文本就发送一个事件：
 *                               data: {"token": "..."}\n\n          （需要多少个就发多少个）
 *                               data: {"finish_reason": "...", "tokens": n}\n\n
 *                               data: [DONE]\n\n
 *     错误的请求：             400，application/json，{ error: "指明出错字段的清楚说明" }
 *   其他路径：404；对 /generate 使用 GET（或除 POST 外的任何方法）：405。
 *
 * 生成规则（检查会把你的文本与之逐字比较）：
 *   rng = new Rng(seed)（seed 默认 0；temperature 默认 1；temperature 为 0 时是贪心）
 *   state = model.start(model.encode(prompt))
 *   对 n = 1 .. max_tokens： token = model.sample(state.logits, temperature, rng)；text += model.decode([token])
 *                            如果已生成的文本中包含某个停止序列：在最早的那个处截断，'stop'
 *                            否则 model.next(state, token)（最后一个 token 之后不需要）
 *   用完 max_tokens 时为 'length'；tokens = 采样的 token 个数（包括组成停止序列的那些）。
 * 只在生成的文本中（不在提示词中）查找停止序列，回答恰好在停止序列之前结束。上下文规则：提示词的 token 数 + max_tokens
 * 最多为 model.blockSize，否则返回 400（没有滑动窗口）。
 *
 * 本练习中的 http 是精简版：只有 createServer 和 STATUS_CODES，服务器总是监听 127.0.0.1。
 */
import * as http from 'node:http';
import { Rng, TODO } from '@llm-lab/kit';

/** 一次进行中的生成（来自模型对象）：下一个 token 的 logits。 */
export interface ModelState {
  readonly logits: Float32Array;
  readonly length: number;
}

/** 检查交给你的模型：内置的 GPT，一次一个 token，带 KV 缓存。 */
export interface ServeModel {
  readonly blockSize: number;
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  start(promptIds: readonly number[]): ModelState;
  next(state: ModelState, token: number): void;
  sample(logits: Float32Array, temperature: number, rng: Rng): number;
}

export interface GenerateRequest {
  prompt: string;
  max_tokens: number;
  stop: string[];
  seed: number;
  temperature: number;
  stream: boolean;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** 由 parseRequest 抛出；服务器返回 400 和 { error: message }。 */
export class BadRequest extends Error {}

/**
 * 检查 POST /generate 的请求体，并填入默认值（stop []，seed 0，temperature 1，stream false）。
 *
 * TODO：在以下情况下 throw new BadRequest('...')（信息中指明出错的字段）：请求体不是 JSON 或不是对象；prompt
 * 不是非空字符串；max_tokens 不是正整数；stop 既不是非空字符串也不是由它们组成的数组；seed 不是整数；temperature
 * 不是 >= 0 的数；stream 不是布尔值；model.encode(prompt) 抛出异常（模型不认识的字符）；或者提示词 token 数 +
 * max_tokens > model.blockSize。
 */
export function parseRequest(body: string, model: ServeModel): GenerateRequest {
  return TODO('parseRequest');
}

/**
 * `text` 末尾有多少个字符仍可能是某个停止序列的开头：最大的 k（比该停止序列短），使得 text 以
 * stop.slice(0, k) 结尾。这些字符要先扣下，暂不发送。heldBack('the wha', ['whale']) = 3；heldBack('the wh', ['xyz']) = 0。
 */
export function heldBack(text: string, stop: readonly string[]): number {
  return TODO('heldBack');
}

/**
 * 为一个请求生成文本：每得到一段可以安全展示的文本（绝不是停止序列的一部分）就调用 send(piece)，并在每个 token
 * 之后把控制权交还给事件循环。返回完整的回答。
 *
 * TODO：按文件头的生成规则来。每个 token 之后：在已生成的全部文本中查找每个停止序列（多个字符的停止序列会跨越
 * 多个 token）；找到的话，把它之前尚未发送的部分发出去并返回。否则，若 text.slice(sent, text.length - heldBack(text, stop))
 * 非空就发送它。然后 await new Promise((r) => setImmediate(r))：一个宏任务，它让等待中的 I/O（其他请求、套接字）先运行。
 * （setTimeout(r, 0) 也是宏任务，但当两个生成过程每步都超过它的 1 ms 时，定时器会一直占着事件循环，让 I/O 饿死：可以试试。）
 */
export async function generate(model: ServeModel, req: GenerateRequest, send: (piece: string) => void): Promise<{ text: string; tokens: number; finish_reason: 'stop' | 'length' }> {
  return TODO('generate');
}

/** 发送一个 JSON 回答（已给出）。 */
function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * 处理一个请求。TODO：路径不是 /generate 时返回 404；方法不是 POST 时返回 405；读取完整的请求体
 * （for await (const chunk of req) body += chunk）；parseRequest（BadRequest 变成 json(res, 400, { error })）；
 * 非流式：json(res, 200, await generate(model, request, () => {}))；流式：writeHead(200) 并带上
 * 'Content-Type': 'text/event-stream'，generate 每发出一段就 res.write(`data: ${JSON.stringify({ token: piece })}\n\n`)，
 * 然后发送结束事件和 data: [DONE]，最后 res.end()。
 */
async function handle(model: ServeModel, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  return TODO('handle');
}

/**
 * 在 127.0.0.1 的 0 号端口（任意空闲端口）上启动服务器，开始监听后 resolve。
 *
 * TODO：http.createServer((req, res) => handle(...).catch(...))（意外错误变成 500，或者结束正在进行的流）；
 * listen(0, '127.0.0.1', ...)；resolve { port: server.address().port, close }。close() 既要停止监听，也要结束已打开的连接
 * （server.close(cb) 配合 server.closeAllConnections()），并在服务器关闭后 resolve。
 */
export function startServer(model: ServeModel): Promise<RunningServer> {
  return TODO('startServer');
}
