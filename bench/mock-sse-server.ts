// Bench mock: an OpenAI-style streaming server that shares no code with src/ (neither the client
// nor the simulator), so a client bug cannot hide by being on both sides. One token per write on
// a fixed period for every open stream, like a batched decode step; it records when it wrote each
// token and writes that ground truth as JSONL (id, arrivalMs, emitMs[]) on SIGTERM.
//   node dist-bench/bench/mock-sse-server.js --per-token-ms 5 --trace /tmp/t.jsonl   (prints its URL)

import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i] ?? "", process.argv[i + 1] ?? "");
const PER_TOKEN_MS = Number(args.get("--per-token-ms") ?? 5);
const TRACE = args.get("--trace") ?? "";
const PORT = Number(args.get("--port") ?? 0);
/** Tokens per write (1 = one token per read, the worst case for a client; more = a cheaper server). */
const TOKENS_PER_WRITE = Math.max(1, Number(args.get("--tokens-per-write") ?? 1));

/** Same clock family as the client's (performance.timeOrigin + now): comparable across processes on one host. */
const nowMs = (): number => performance.timeOrigin + performance.now();

interface Stream {
  id: string;
  res: ServerResponse;
  chat: boolean;
  left: number;
  total: number;
  arrivalMs: number;
  emitMs: Float64Array;
  sent: number;
  block?: Buffer;
}

const open = new Set<Stream>();
const traceLines: string[] = [];
let nextId = 0;

function chunk(s: Stream, text: string, finish: string | null): string {
  const choice = s.chat
    ? `{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":${finish === null ? "null" : `"${finish}"`}}`
    : `{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${finish === null ? "null" : `"${finish}"`},"stop_reason":null}`;
  const object = s.chat ? "chat.completion.chunk" : "text_completion";
  return `data: {"id":"${s.id}","object":"${object}","created":1733000000,"model":"mock-model","choices":[${choice}],"usage":null}\n\n`;
}

/** The text of token n (1-based): every 7th has characters JSON must escape, so a client's fast path meets them. */
const tokenText = (n: number): string => (n % 7 === 0 ? ` "w${n}"\n` : ` w${n}`);

function emit(s: Stream): void {
  const atMs = nowMs();
  if (TOKENS_PER_WRITE > 1 && s.left > TOKENS_PER_WRITE) {
    // A full block that is not the last: the same bytes every time (built once per stream), so
    // the mock's cost per token stays far below a client's.
    s.block ??= Buffer.from(Array.from({ length: TOKENS_PER_WRITE }, (_, n) => chunk(s, tokenText(n + 1), null)).join(""));
    for (let n = 0; n < TOKENS_PER_WRITE; n++) s.emitMs[s.sent++] = atMs;
    s.left -= TOKENS_PER_WRITE;
    s.res.write(s.block);
    return;
  }
  let out = "";
  for (let n = 0; n < TOKENS_PER_WRITE && s.left > 0; n++) {
    s.left--;
    s.emitMs[s.sent++] = atMs;
    out += chunk(s, tokenText(s.sent), s.left === 0 ? "length" : null);
  }
  s.res.write(out);
  if (s.left > 0) return;
  const usage = `{"prompt_tokens":2,"completion_tokens":${s.total},"total_tokens":${s.total + 2}}`;
  s.res.end(`data: {"id":"${s.id}","object":"x","created":1733000000,"model":"mock-model","choices":[],"usage":${usage}}\n\ndata: [DONE]\n\n`);
  finish(s);
}

function finish(s: Stream): void {
  if (!open.delete(s)) return;
  if (TRACE !== "") {
    const emitMs = Array.from(s.emitMs.subarray(0, s.sent), (t) => Number(t.toFixed(4)));
    traceLines.push(JSON.stringify({ id: s.id, arrivalMs: s.arrivalMs, emitMs }));
  }
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const arrivalMs = nowMs();
  if (req.method === "GET" && req.url === "/v1/models") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(`{"object":"list","data":[{"id":"mock-model","object":"model","max_model_len":100000}]}`);
    return;
  }
  if (req.method === "GET" && req.url === "/clock") {
    // Its clock, for a client to measure the offset between the two processes' clocks (bench/lib/clock-offset.ts).
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ nowMs: arrivalMs }));
    return;
  }
  if (req.method === "GET" && (req.url === "/health" || req.url === "/metrics")) {
    res.writeHead(req.url === "/health" ? 200 : 404).end();
    return;
  }
  const parts: Buffer[] = [];
  req.on("data", (d: Buffer) => parts.push(d));
  req.on("end", () => {
    let body: { max_tokens?: number } = {};
    try {
      body = JSON.parse(Buffer.concat(parts).toString("utf8")) as { max_tokens?: number };
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end(`{"error":{"message":"bad json"}}`);
      return;
    }
    const total = Math.max(1, Math.floor(body.max_tokens ?? 16));
    const s: Stream = {
      id: `mock-${process.pid}-${nextId++}`,
      res,
      chat: req.url?.includes("chat") ?? false,
      left: total,
      total,
      arrivalMs,
      emitMs: new Float64Array(total),
      sent: 0,
    };
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    open.add(s);
    res.on("close", () => finish(s));
    // TTFT 0: the first token goes out at once, the rest on the shared decode tick.
    emit(s);
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, handle);
server.on("connection", (socket) => socket.setNoDelay(true));
server.maxHeadersCount = 100;

// A self-correcting tick: step n fires at start + n × period, so a slow step does not drift the rest.
const startMs = performance.now();
let step = 0;
function tick(): void {
  step++;
  for (const s of open) if (s.sent > 0 && s.left > 0) emit(s);
  setTimeout(tick, Math.max(0, startMs + (step + 1) * PER_TOKEN_MS - performance.now()));
}
setTimeout(tick, PER_TOKEN_MS);

server.listen(PORT, "127.0.0.1", () => {
  const address = server.address();
  if (address !== null && typeof address === "object") console.log(`http://127.0.0.1:${address.port}`);
});

process.on("SIGTERM", () => {
  if (TRACE !== "") writeFileSync(TRACE, traceLines.join("\n") + "\n");
  process.exit(0);
});
