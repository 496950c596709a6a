// Generates test/fixtures/workload/sharegpt-sample.json: a small, deterministic ShareGPT-format
// file (multi-turn conversations with varied lengths, a few system prompts, and the odd shapes
// real ShareGPT dumps contain) for tests and `npm run bench:workload`. No real user data.
// Usage: node scripts/make-sharegpt-sample.mjs [out.json] [conversations]

import { writeFileSync } from "node:fs";

const out = process.argv[2] ?? new URL("../test/fixtures/workload/sharegpt-sample.json", import.meta.url).pathname;
const count = Number(process.argv[3] ?? 100);

const WORDS = (
  "the model server request token batch cache prefix latency throughput memory kernel queue decode prefill " +
  "attention layer weight context window stream answer question explain why how when where which reason " +
  "simple short long careful example list table code python rust function error value result number time " +
  "first second third more less fast slow small large graph chart report user system assistant data"
).split(" ");

// mulberry32: the same file on every machine.
let state = 20250101;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];
/** Lognormal-ish word counts, like real chat prompts: mostly short, a long tail. */
const words = (median) => Math.max(2, Math.round(median * Math.exp(0.8 * (rand() + rand() + rand() - 1.5))));
function sentence(n) {
  const ws = Array.from({ length: n }, () => pick(WORDS));
  ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
  let text = "";
  ws.forEach((w, i) => (text += (i === 0 ? "" : i % 11 === 0 ? ". " : i % 5 === 0 ? ", " : " ") + w));
  return `${text}.`;
}

const conversations = [];
for (let i = 0; i < count; i++) {
  const turns = 1 + Math.floor(rand() * 4);
  const conv = [];
  if (i % 7 === 3) conv.push({ from: "system", value: sentence(words(12)) });
  for (let t = 0; t < turns; t++) {
    conv.push({ from: "human", value: (t === 0 && i % 9 === 0 ? "Explain this code:\n```\n" + sentence(words(20)) + "\n```\n" : "") + sentence(words(25)) });
    conv.push({ from: "gpt", value: sentence(words(35)) });
  }
  conversations.push({ id: `sample-${i}`, conversations: conv });
}
// Shapes real dumps contain, which a reader must skip rather than fail on.
conversations.push({ id: "gpt-only", conversations: [{ from: "gpt", value: "An answer with no question." }] });
conversations.push({ id: "unanswered", conversations: [{ from: "human", value: "A question nobody answered." }] });
conversations.push({ id: "empty", conversations: [] });

writeFileSync(out, `[\n${conversations.map((c) => JSON.stringify(c)).join(",\n")}\n]\n`);
process.stdout.write(`wrote ${conversations.length} conversations to ${out}\n`);
