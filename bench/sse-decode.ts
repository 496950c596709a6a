// Micro benchmark of the client's per-token path without sockets: the same reads (one event each)
// through the bare reader's logic (string split + JSON.parse), SSE decoding + parseChunk (JSON.parse
// of every chunk), and the StreamObserver (decoder + per-stream chunk template + record), in CPU µs
// per event. Steadier than bench:client on a loaded machine, since no server shares the cores.
// Run: node dist-bench/bench/sse-decode.js

import { readFileSync } from "node:fs";
import { parseChunk } from "../src/client/chunk-parser.js";
import { SseDecoder } from "../src/client/sse-decoder.js";
import { StreamObserver } from "../src/client/stream-observer.js";

const chunk = (i: number, text: string, finish: string | null): string =>
  `data: {"id":"cmpl-4f1","object":"text_completion","created":1733000000,"model":"mock-model","choices":[{"index":0,"text":${JSON.stringify(text)},"logprobs":null,"finish_reason":${JSON.stringify(finish)},"stop_reason":null}],"usage":null}\n\n`;
/** 512 tokens as bench/mock-sse-server.ts writes them, one read each. */
const mockReads = [
  ...Array.from({ length: 512 }, (_, i) => Buffer.from(chunk(i, (i + 1) % 7 === 0 ? ` "w${i + 1}"\n` : ` w${i + 1}`, i === 511 ? "length" : null))),
  Buffer.from(
    'data: {"id":"cmpl-4f1","object":"x","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":2,"completion_tokens":512}}\n\ndata: [DONE]\n\n',
  ),
];
const vllmChat = readFileSync(new URL("../../test/fixtures/wire/vllm-chat-usage.sse.txt", import.meta.url), "utf8")
  .split(/(?<=\n\n)/)
  .map((e) => Buffer.from(e));

function bare(reads: Buffer[]): number {
  let pending = "";
  let tokens = 0;
  for (const read of reads) {
    pending += read.toString("utf8");
    let boundary: number;
    while ((boundary = pending.indexOf("\n\n")) >= 0) {
      const event = pending.slice(0, boundary);
      pending = pending.slice(boundary + 2);
      const data = event.slice(event.indexOf("data: ") + 6);
      if (data.startsWith("[DONE]")) continue;
      const parsed = JSON.parse(data) as { choices?: Array<{ text?: string; delta?: { content?: string } }> };
      if (parsed.choices?.[0]?.text || parsed.choices?.[0]?.delta?.content) tokens++;
    }
  }
  return tokens;
}

function decodeAndParse(reads: Buffer[]): number {
  let tokens = 0;
  const decoder = new SseDecoder((data) => {
    const event = parseChunk(data);
    if (event.kind === "chunk" && event.content !== "") tokens++;
  });
  for (const read of reads) decoder.write(read);
  decoder.end();
  return tokens;
}

function observer(reads: Buffer[]): number {
  const o = new StreamObserver({
    id: "0-0",
    level: 0,
    index: 0,
    warmup: false,
    originMs: 0,
    scheduledMs: 0,
    sentMs: 0,
    targetInputTokens: 2,
    targetOutputTokens: undefined,
    keepText: false,
  });
  o.responseStart(200, "text/event-stream", 0);
  let t = 0;
  for (const read of reads) o.data(read, ++t);
  o.end(++t);
  return o.record().tokenChunkMs.length;
}

function cpuUsPerEvent(path: (reads: Buffer[]) => number, reads: Buffer[], events: number): number {
  const rounds = Math.ceil(2_000_000 / events);
  let sink = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) sink += path(reads);
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) console.log(sink);
  return (cpu.user + cpu.system) / (rounds * events);
}

for (const [name, reads] of [
  ["mock completions (512 tokens)", mockReads],
  ["vLLM chat fixture", vllmChat],
] as const) {
  const events = reads.reduce((n, r) => n + (r.toString().match(/\n\n/g)?.length ?? 0), 0);
  for (let pass = 1; pass <= 2; pass++) {
    const b = cpuUsPerEvent(bare, reads, events);
    const p = cpuUsPerEvent(decodeAndParse, reads, events);
    const o = cpuUsPerEvent(observer, reads, events);
    console.log(
      `${name}, pass ${pass}: bare reader ${b.toFixed(3)} µs/event; decoder + parseChunk ${p.toFixed(3)} (${(p / b).toFixed(2)}×); ` +
        `StreamObserver ${o.toFixed(3)} (${(o / b).toFixed(2)}×)`,
    );
  }
}
