import { loadTokenizer } from "./tokenizer.js";
import { makeSyntheticPrompts } from "./synthetic.js";
const tok = await loadTokenizer();
for (const [count, n, p] of [[1000, 10000, 0], [1000, 512, 0], [1000, 10000, 2000], [1000, 512, 100]] as const) {
  const t0 = performance.now();
  const prompts = makeSyntheticPrompts({ tokenizer: tok, count, inputTokens: n, sharedPrefixTokens: p, seed: 7 });
  const ms = performance.now() - t0;
  let bad = 0; for (const s of prompts.slice(0, 50)) if (tok.count(s) !== n) bad++;
  console.log(count, n, p, "ms", ms.toFixed(0), "bad", bad, JSON.stringify(prompts[0]!.slice(0, 80)));
}
