// Micro benchmark of the client's hot path: SSE decoding + chunk parsing per event.
// Run: npx vite-node bench/sse-decode.ts (or node on the compiled dist). Prints µs per event.

import { readFileSync } from "node:fs";
import { parseChunk } from "../src/client/chunk-parser.js";
import { SseDecoder } from "../src/client/sse-decoder.js";

const body = readFileSync(new URL("../test/fixtures/wire/vllm-chat-usage.sse.txt", import.meta.url));
const text = body.toString("utf8");
const oneEventPerRead = text.split(/(?<=\n\n)/).map((e) => Buffer.from(e));
const eventsPerBody = oneEventPerRead.length;

function run(reads: Buffer[], rounds: number, parse: boolean): number {
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) {
    const decoder = new SseDecoder((data) => {
      if (parse) {
        const event = parseChunk(data);
        if (event.kind === "chunk") sink += event.content.length;
      } else sink += data.length;
    });
    for (const read of reads) decoder.write(read);
    decoder.end();
  }
  const elapsedMs = performance.now() - started;
  if (sink < 0) console.log(sink);
  return (elapsedMs * 1000) / (rounds * eventsPerBody);
}

const rounds = 20_000;
for (let pass = 0; pass < 2; pass++) {
  console.log(`pass ${pass}:`);
  console.log(`  decode only, 1 event/read:   ${run(oneEventPerRead, rounds, false).toFixed(3)} µs/event`);
  console.log(`  decode+parse, 1 event/read:  ${run(oneEventPerRead, rounds, true).toFixed(3)} µs/event`);
  console.log(`  decode+parse, whole body:    ${run([body], rounds, true).toFixed(3)} µs/event`);
  const small = Array.from({ length: Math.ceil(body.length / 64) }, (_, i) => body.subarray(i * 64, i * 64 + 64));
  console.log(`  decode+parse, 64-byte reads: ${run(small, rounds / 4, true).toFixed(3)} µs/event`);
}
