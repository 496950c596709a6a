// Tests for server-exact prompt counts: chat templates rendered with @huggingface/jinja and counted
// like the library counts the rendered text, BOS from a Llama-style post-processor, and builds
// whose synthetic prompts land exactly on the requested total under both.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Tokenizer } from "@huggingface/tokenizers";
import { buildRequests } from "./build.js";
import { createPromptCounter, createTemplateRenderer } from "./chat-template.js";
import type { ChatMessage } from "./request-spec.js";
import { createTextTokenizer, loadTokenizer, type TextTokenizer } from "./tokenizer.js";

const TINY = join(import.meta.dirname, "../../test/fixtures/workload/tiny-bpe/tokenizer.json");
const LLAMA_STYLE_TEMPLATE =
  "{{ bos_token }}{% for m in messages %}<|start|>{{ m.role }}\n{{ m.content }}<|end|>{% endfor %}{% if add_generation_prompt %}<|start|>assistant\n{% endif %}";

/** The tiny BPE made Llama-like: a <s> BOS added by a TemplateProcessing post-processor, and a chat template. */
function llamaStyle(): { tokenizer: TextTokenizer; library: Tokenizer } {
  const json = JSON.parse(readFileSync(TINY, "utf8")) as Record<string, unknown>;
  const added = json["added_tokens"] as Array<Record<string, unknown>>;
  for (const [id, content] of [
    [847, "<s>"],
    [848, "<|start|>"],
  ] as const) {
    added.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }
  json["post_processor"] = {
    type: "TemplateProcessing",
    single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
    pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }],
    special_tokens: { "<s>": { id: "<s>", ids: [847], tokens: ["<s>"] } },
  };
  const config = { bos_token: "<s>", eos_token: "<|end|>", chat_template: LLAMA_STYLE_TEMPLATE };
  return { tokenizer: createTextTokenizer(json, config, { name: "llama-style", source: "dir" }), library: new Tokenizer(json, config) };
}

const conversations: ChatMessage[][] = [
  [{ role: "user", content: "Hello there" }],
  [
    { role: "system", content: "Be brief." },
    { role: "user", content: "the cat sat\n\n on the mat" },
  ],
  [
    { role: "user", content: "  leading spaces" },
    { role: "assistant", content: " the quick brown fox" },
    { role: "user", content: "more <|end|> inside" },
  ],
  [{ role: "user", content: "" }],
];

let qwen: TextTokenizer;
beforeAll(async () => {
  qwen = await loadTokenizer();
});

describe("chat templates", () => {
  it("renders the bundled Qwen3 template and counts it exactly like the library", () => {
    const counter = createPromptCounter(qwen, "auto");
    expect(counter.method).toBe("chat-template");
    const render = createTemplateRenderer(qwen, qwen.chatTemplate as string);
    expect(render([{ role: "user", content: "Hi" }])).toBe("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
    for (const messages of conversations) {
      const rendered = render(messages);
      expect(counter.chat(messages)).toBe(qwen.countWithSpecialText(rendered));
    }
    // <|im_start|> user \n Hi <|im_end|> \n <|im_start|> assistant \n
    expect(counter.chat([{ role: "user", content: "Hi" }])).toBe(9);
    expect(counter.chatOverhead(["user"])).toBe(8);
  });

  it("counts template text with special tokens exactly as the library's encode does", () => {
    const { tokenizer, library } = llamaStyle();
    const render = createTemplateRenderer(tokenizer, LLAMA_STYLE_TEMPLATE);
    for (const messages of conversations) {
      const rendered = render(messages);
      expect(rendered.startsWith("<s><|start|>")).toBe(true);
      expect(tokenizer.countWithSpecialText(rendered)).toBe(library.encode(rendered, { add_special_tokens: false }).ids.length);
    }
  });

  it("falls back to message contents without a template, and refuses --chat-template tokenizer then", () => {
    const counter = createPromptCounter(qwen, "none");
    expect(counter.method).toBe("message-contents");
    expect(
      counter.chat([
        { role: "user", content: "Hello" },
        { role: "assistant", content: " world" },
      ]),
    ).toBe(2);
    const { tokenizer } = llamaStyle();
    const bare = { ...tokenizer, chatTemplate: undefined };
    expect(() => createPromptCounter(bare, "tokenizer")).toThrow(/no chat_template/);
  });
});

describe("special tokens added by the post-processor", () => {
  it("counts the BOS a Llama-style tokenizer adds, and none for Qwen", () => {
    const { tokenizer, library } = llamaStyle();
    expect(tokenizer.specialTokensAdded).toBe(1);
    expect(qwen.specialTokensAdded).toBe(0);
    const counter = createPromptCounter(tokenizer, "auto");
    expect(counter.completion("the cat")).toBe(library.encode("the cat", { add_special_tokens: true }).ids.length);
  });

  it("builds synthetic prompts whose server-side count is exactly the requested total", () => {
    const { tokenizer } = llamaStyle();
    const counter = createPromptCounter(tokenizer, "auto");
    const completions = buildRequests({ endpoint: "completions", count: 5, tokenizer, counter, inputTokens: 40, outputTokens: 4, seed: 1 });
    for (const spec of completions) {
      expect(spec.inputTokens).toBe(40);
      expect(tokenizer.count(spec.prompt as string)).toBe(39);
    }
    const chat = buildRequests({ endpoint: "chat", count: 5, tokenizer, counter, inputTokens: 40, outputTokens: 4, seed: 1 });
    for (const spec of chat) expect(spec.inputTokens).toBe(40);
    const qwenChat = buildRequests({ endpoint: "chat", count: 3, tokenizer: qwen, counter: createPromptCounter(qwen, "auto"), inputTokens: 100, seed: 1 });
    for (const spec of qwenChat) expect(spec.inputTokens).toBe(100);
  });
});
